"""Supervision tests reuse the runtime's fixtures and helpers (published items, driving cases)."""

from __future__ import annotations

import pytest

from tests.runtime import factories
from tests.runtime.conftest import _media, act, at, frozen, item, open_task, parallel_item, submit, zj_chief  # noqa: F401


@pytest.fixture
def sweep():
    from supervision.services import sweep as run

    def do(**kwargs):
        kwargs.setdefault("notify", True)
        return run(**kwargs)

    return do


def alert_set(*, open_only: bool = True) -> set[tuple]:
    """{(kind, case number, step or "", level key)} of the alerts."""
    from runtime.models import Task
    from supervision.models import Alert

    alerts = Alert.objects.select_related("case")
    if open_only:
        alerts = alerts.filter(resolved_at__isnull=True)
    steps = dict(Task.objects.values_list("pk", "step_key"))
    out = set()
    for a in alerts:
        step = steps[a.subject_id] if a.subject_type == "task" else ""
        out.add((a.kind, a.case.form_data.get("company"), step, {1: "warning", 2: "yellow", 3: "red", 9: "anomaly"}[a.level]))
    return out


@pytest.fixture
def limits_item(demo):
    """An item of 5 promised and 8 statutory working days (the clock tests' and previews')."""
    return factories.publish(factories.definition(promised=5, statutory=8))


def accepted_case(demo, of_item, clock, company, accepted):
    """A case of ``of_item`` submitted and accepted at 9:00 on the day ``accepted`` (``clock``: the frozen time)."""
    clock.move_to(at(accepted, 9))
    case = submit(demo, of_item, data=factories.good_data(company=company))
    act(demo.clerk, case, opinion="予以受理")
    return case
