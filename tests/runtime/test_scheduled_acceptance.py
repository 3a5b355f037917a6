"""A receipt nobody answers is deemed accepted by the scheduler alone (行政许可法 art. 32:
"逾期不告知的，自收到申请材料之日起即为受理"), dated its receipt day."""

from __future__ import annotations

import datetime as dt

import pytest

from core.schedule import LocalScheduler
from runtime.models import Case, CaseState

from .conftest import at, submit

pytestmark = pytest.mark.django_db


def test_a_receipt_left_alone_for_five_working_days_is_deemed_accepted_by_the_scheduler(
        demo, item, time_machine, django_capture_on_commit_callbacks):
    from config.celery import app

    time_machine.move_to(at("2026-03-02"), tick=False)  # a Monday
    case = submit(demo, item)
    scheduler = LocalScheduler(app)  # its clock is the wall clock, frozen here

    time_machine.move_to(at("2026-03-09", 23), tick=False)  # the 5th working day, not yet over
    assert "runtime.deem_accepted" in scheduler.tick()
    assert Case.objects.get(pk=case.pk).state == CaseState.RECEIVED

    time_machine.move_to(at("2026-03-10", 0), tick=False)  # the scheduler's next turn, an hour later
    with django_capture_on_commit_callbacks(execute=True):
        assert "runtime.deem_accepted" in scheduler.tick()
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.deemed_accepted
    assert case.accepted_on == dt.date(2026, 3, 2)  # the receipt date, not the day it was noticed
