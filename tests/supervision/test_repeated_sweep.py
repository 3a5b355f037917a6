"""A repeated sweep on the same working day under the same rules judges the clocks read in place
(the case clock, the step clocks) on the changed cases only (``supervision.judgement_marks``); a
changed case, a rule published in between, a new working day, a sync the judgement did not follow:
each is judged as a full sweep would.

The item: promised 5, statutory 8 working days (district defaults: warning 2 working days before
the promised limit, yellow card more than 1 past it, red card more than 1 past the statutory one).
October 2026: the 1st–7th off, Saturday the 10th worked.
"""

from __future__ import annotations

import pytest

from designer import services as designer_services
from designer.selectors import district_supervision_defaults
from supervision import services
from supervision.models import Alert, DashboardSnapshot, IndexState, Level, SupervisionOrder
from supervision.partitions import CaseRange
from supervision.services import sweep_partition, sweep_prepare

from .conftest import accepted_case as _case
from .conftest import act, alert_set, at

pytestmark = pytest.mark.django_db

ONLY_CHANGED = "仅判定有变化的"




def _sweep(sweep, lines=None):
    return sweep(notify=False, progress=(lines.append if lines is not None else None))


def _clock_alerts() -> set[tuple]:
    return {a for a in alert_set() if a[0] in ("case_clock", "step_clock")}


@pytest.fixture
def swept(demo, limits_item, frozen, sweep):
    """A (accepted 09-24: warned), B (09-21: carded), C (10-08: nothing yet), swept on Friday 10-09."""
    cases = {name: _case(demo, limits_item, frozen, name, day)
             for name, day in (("A", "2026-09-24"), ("B", "2026-09-21"), ("C", "2026-10-08"))}
    frozen.move_to(at("2026-10-09", 8))
    _sweep(sweep)
    assert _clock_alerts() == {
        ("case_clock", "A", "", "warning"), ("step_clock", "A", "handle", "yellow"),
        ("case_clock", "B", "", "yellow"), ("step_clock", "B", "handle", "red")}
    return cases


def test_repeated_sweep_same_day_judges_only_the_changed_cases(demo, swept, frozen, sweep):
    frozen.move_to(at("2026-10-09", 11))
    act(demo.handler, swept["B"], "suspend", opinion="需要专家评审", procedure="专家评审", expected_days=5)
    frozen.move_to(at("2026-10-09", 14))
    lines = []
    result = _sweep(sweep, lines)
    # B's clock stopped: its case and step alerts end; A's stay as they were
    assert _clock_alerts() == {("case_clock", "A", "", "warning"), ("step_clock", "A", "handle", "yellow")}
    assert result.kinds["case_clock"].resolved == 1 and result.kinds["step_clock"].resolved == 1
    judged_changed = [line for line in lines if ONLY_CHANGED in line]
    assert any("办件时限" in line and "1 件" in line for line in judged_changed), lines
    assert any("环节时限" in line for line in judged_changed), lines

    frozen.move_to(at("2026-10-09", 16))  # nothing changed since: nothing judged, nothing written
    result = _sweep(sweep)
    assert (result.raised, result.escalated, result.resolved) == (0, 0, 0)
    assert _clock_alerts() == {("case_clock", "A", "", "warning"), ("step_clock", "A", "handle", "yellow")}


def test_a_rule_published_between_two_sweeps_the_same_day_rejudges_every_clock(demo, swept, frozen, sweep):
    rules = district_supervision_defaults()
    rules["warning"]["remaining_days"] = 5  # C (accepted yesterday) is now within the warning
    frozen.move_to(at("2026-10-09", 11))
    designer_services.supervision_defaults_update(actor=demo.legal, rules=rules)
    frozen.move_to(at("2026-10-09", 14))
    lines = []
    _sweep(sweep, lines)
    assert ("case_clock", "C", "", "warning") in _clock_alerts()
    assert not any("办件时限" in line and ONLY_CHANGED in line for line in lines), lines


def test_a_new_working_day_rejudges_the_case_clock_and_moves_the_step_clocks_without_writing(demo, swept, frozen,
                                                                                                 sweep):
    frozen.move_to(at("2026-10-09", 14))
    lines = []
    _sweep(sweep, lines)  # the same day: only the (no) changed cases
    assert any(ONLY_CHANGED in line for line in lines), lines
    frozen.move_to(at("2026-10-10", 8))  # Saturday, worked: every clock a working day older
    lines = []
    result = _sweep(sweep, lines)
    assert not any("办件时限" in line and ONLY_CHANGED in line for line in lines), lines
    # the step clocks wrote their levels' days when first judged (decision 007): nothing to judge
    assert any("环节时限" in line and ONLY_CHANGED in line for line in lines), lines
    assert result.kinds["step_clock"].escalated == 0
    assert ("step_clock", "A", "handle", "red") in _clock_alerts()  # was yellow: the day made it red


def test_a_sync_the_judgement_did_not_follow_makes_the_next_sweep_judge_whole(demo, swept, frozen, sweep):
    """A partitioned sweep (which records no mark) in between: the changes it synced are not the
    next sweep's, so that sweep judges every clock again."""
    Alert.objects.filter(kind="case_clock", case=swept["A"]).delete()  # as if lost: only a whole judgement sees it
    frozen.move_to(at("2026-10-09", 11))
    sweep_prepare()
    frozen.move_to(at("2026-10-09", 14))
    lines = []
    _sweep(sweep, lines)
    assert not any(ONLY_CHANGED in line for line in lines), lines
    assert ("case_clock", "A", "", "warning") in _clock_alerts()


def test_a_partitioned_sweep_records_no_mark(demo, swept, frozen):
    marks = IndexState.objects.get().judged
    frozen.move_to(at("2026-10-09", 14))
    changes = sweep_prepare()
    sweep_partition(part=CaseRange(), changed_since=changes.since, notify=False)
    assert IndexState.objects.get().judged == marks


def _reds() -> int:
    figures = DashboardSnapshot.objects.get().figures
    return sum(counts.get(str(Level.RED), 0) for _name, counts in figures["by_department"])


def test_the_dashboard_is_confirmed_not_recounted_when_nothing_changed(demo, swept, frozen, sweep):
    counted = DashboardSnapshot.objects.get().figures
    frozen.move_to(at("2026-10-09", 14))
    lines = []
    _sweep(sweep, lines)
    assert any("未重新统计" in line for line in lines), lines
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.figures == counted and snapshot.taken_at == at("2026-10-09", 14)


def test_the_dashboard_is_recounted_after_an_order_is_replied_to_the_same_day(demo, limits_item, frozen, sweep):
    case = _case(demo, limits_item, frozen, "A", "2026-09-24")
    frozen.move_to(at("2026-09-28", 10))
    services.order_issue(actor=demo.supervisor, case=case, instruction="请加快办理", limit_days=1)
    frozen.move_to(at("2026-10-09", 8))
    _sweep(sweep)
    assert ("order_clock", "A", "", "red") in alert_set() and _reds() == 1
    frozen.move_to(at("2026-10-09", 11))
    services.order_reply(actor=demo.chief, order=SupervisionOrder.objects.get(), reply="已加快办理")
    frozen.move_to(at("2026-10-09", 14))
    _sweep(sweep)
    assert _reds() == 0  # the order's red card resolved outside the sweep is no longer counted


def test_an_anomaly_condition_withdrawn_the_same_day_ends_its_alerts(demo, limits_item, frozen, sweep):
    rules = district_supervision_defaults()
    rules["anomalies"] = [{"key": "accepted_here", "name": "本窗口受理", "condition": {"==": [{"var": "step.type"}, "accept"]}}]
    designer_services.supervision_defaults_update(actor=demo.legal, rules=rules)
    _case(demo, limits_item, frozen, "A", "2026-10-08")
    frozen.move_to(at("2026-10-09", 8))
    _sweep(sweep)
    assert ("item:accepted_here", "A", "accept", "anomaly") in alert_set()
    frozen.move_to(at("2026-10-09", 9))
    _sweep(sweep)  # the same rules: nothing to end
    assert ("item:accepted_here", "A", "accept", "anomaly") in alert_set()
    rules["anomalies"] = []
    frozen.move_to(at("2026-10-09", 11))
    designer_services.supervision_defaults_update(actor=demo.legal, rules=rules)
    frozen.move_to(at("2026-10-09", 14))
    _sweep(sweep)
    assert not any(a[0].startswith("item:") for a in alert_set())
