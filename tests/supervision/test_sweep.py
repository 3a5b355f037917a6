"""The sweep over cases with known clocks across the 2026 Mid-Autumn and National Day holidays.

Working days around them (2026): Sep 20 (Sun) worked; Sep 25 off; Oct 1–7 off; Oct 10 (Sat)
worked. The item: promised 5, statutory 8 working days; district defaults, the published practice
(warning 2 working days before the promised limit, yellow card more than 1 working day past it,
red card more than 1 working day past the statutory limit); steps: warning on the due day,
yellow over, red beyond 2 over.
"""

from __future__ import annotations

import pytest

from runtime import services
from runtime.models import LogEntry, Task
from supervision.models import Alert

from ..runtime import factories
from .conftest import act, alert_set, at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits_item(demo):
    return factories.publish(factories.definition(promised=5, statutory=8))


def _case(demo, item, frozen, company, received, accepted=None):
    frozen.move_to(at(received, 9))
    case = submit(demo, item, data=factories.good_data(company=company))
    frozen.move_to(at(accepted or received, 10))
    act(demo.clerk, case, opinion="予以受理")
    return case


def test_exact_alerts_after_sweeps_escalation_and_resolution(demo, limits_item, frozen, sweep):
    item = limits_item
    a = _case(demo, item, frozen, "A", "2026-09-24")
    b = _case(demo, item, frozen, "B", "2026-09-21")
    _case(demo, item, frozen, "C", "2026-10-08")
    _case(demo, item, frozen, "D", "2026-09-28")
    e = _case(demo, item, frozen, "E", "2026-09-14", accepted="2026-09-22")  # after the 5-day window
    f = _case(demo, item, frozen, "F", "2026-09-21")
    frozen.move_to(at("2026-09-22", 11))
    act(demo.handler, f, "suspend", opinion="需要专家评审", procedure="专家评审", expected_days=5)
    g = _case(demo, item, frozen, "G", "2026-09-24")
    frozen.move_to(at("2026-09-28", 11))
    act(demo.handler, g, opinion="符合条件")
    # records altered behind the runtime's back: an opinion erased, a log entry rewritten
    Task.objects.filter(case=g, step_key="handle").update(opinion="")
    LogEntry.objects.filter(case=g, seq=2).update(summary="改动过的摘要")

    e.refresh_from_db()
    assert e.deemed_accepted and str(e.accepted_on) == "2026-09-14"

    frozen.move_to(at("2026-10-09", 8))
    sweep()
    first = {
        ("case_clock", "A", "", "warning"), ("step_clock", "A", "handle", "yellow"),
        ("case_clock", "B", "", "yellow"), ("step_clock", "B", "handle", "red"),
        ("case_clock", "D", "", "warning"), ("step_clock", "D", "handle", "yellow"),
        ("case_clock", "E", "", "red"), ("step_clock", "E", "handle", "red"),
        ("late_acceptance", "E", "", "anomaly"),
        ("special_procedure_clock", "F", "", "red"), ("special_procedure_overrun", "F", "", "anomaly"),
        ("case_clock", "G", "", "warning"), ("step_clock", "G", "review", "yellow"),
        ("missing_opinion", "G", "handle", "anomaly"), ("log_chain_broken", "G", "", "anomaly"),
    }
    assert alert_set() == first
    count = Alert.objects.count()

    frozen.move_to(at("2026-10-09", 14))
    result = sweep()
    assert alert_set() == first and Alert.objects.count() == count
    assert (result.raised, result.escalated, result.resolved) == (0, 0, 0)

    frozen.move_to(at("2026-10-12", 10))
    services.special_procedure_end(actor=demo.handler, case=f, result="专家评审通过")
    frozen.move_to(at("2026-10-13", 8))
    sweep()
    second = {
        ("case_clock", "A", "", "yellow"), ("step_clock", "A", "handle", "red"),
        ("case_clock", "B", "", "red"), ("step_clock", "B", "handle", "red"),
        ("case_clock", "C", "", "warning"), ("step_clock", "C", "handle", "yellow"),
        ("case_clock", "D", "", "yellow"), ("step_clock", "D", "handle", "red"),
        ("case_clock", "E", "", "red"), ("step_clock", "E", "handle", "red"),
        ("late_acceptance", "E", "", "anomaly"),
        ("case_clock", "G", "", "yellow"), ("step_clock", "G", "review", "red"),
        ("missing_opinion", "G", "handle", "anomaly"), ("log_chain_broken", "G", "", "anomaly"),
    }
    assert alert_set() == second
    # escalated in place: A's case alert is the same row, raised as a warning, now yellow
    a_alert = Alert.objects.get(kind="case_clock", case=a)
    assert (a_alert.first_level, a_alert.level, str(a_alert.raised_on)) == (1, 2, "2026-10-09")
    resolved = Alert.objects.filter(resolved_at__isnull=False)
    assert {x.kind for x in resolved} == {"special_procedure_clock", "special_procedure_overrun"}
    assert all(x.resolved_at == at("2026-10-13", 8) for x in resolved)

    # the late task is done: its alert resolves, the case's card stays
    frozen.move_to(at("2026-10-13", 9))
    act(demo.handler, b, opinion="已核实")
    frozen.move_to(at("2026-10-13", 10))
    sweep()
    assert alert_set() == second - {("step_clock", "B", "handle", "red")}
    done = Alert.objects.get(kind="step_clock", case=b, resolved_at__isnull=False)
    assert done.resolved_at == at("2026-10-13", 10) and done.level == 3


def test_each_open_alert_is_unique_in_the_database(demo, limits_item, frozen, sweep):
    from django.db import IntegrityError, transaction

    case = _case(demo, limits_item, frozen, "A", "2026-09-24")
    frozen.move_to(at("2026-10-13", 8))
    sweep()
    alert = Alert.objects.get(kind="case_clock", case=case)
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()
