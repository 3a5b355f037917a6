"""Supervision asks the runtime which steps are opinion steps: a countersign (会签) is one."""

from __future__ import annotations

import pytest

from runtime.models import Task

from ..runtime import factories
from ..runtime.test_countersign import countersign_workflow
from .conftest import act, alert_set, at, submit

pytestmark = pytest.mark.django_db


def test_a_countersign_completed_without_an_opinion_is_an_anomaly(demo, frozen, sweep):
    from accounts.services import staff_user_create

    section = demo.department("JB-SCJG-SPXK")
    second = staff_user_create(actor=None, username="handler2", password="Demo#2026", full_name="林核查",
                               department=section, roles=[("handler", section)])
    item = factories.publish(factories.definition(workflow=countersign_workflow()))
    frozen.move_to(at("2026-03-02", 9))
    case = submit(demo, item, data=factories.good_data(company="会签"))
    act(demo.clerk, case, opinion="予以受理")
    act(demo.handler, case, opinion="拟同意")
    act(demo.handler, case, opinion="符合要求", step="inspect")
    act(second, case, opinion="符合要求", step="inspect")
    sweep()
    assert not {a for a in alert_set() if a[0] == "missing_opinion"}
    Task.objects.filter(case=case, step_key="inspect").update(opinion="")  # erased behind the runtime's back
    sweep()
    assert ("missing_opinion", "会签", "inspect", "anomaly") in alert_set()
