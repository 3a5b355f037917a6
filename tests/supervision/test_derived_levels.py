"""The step clocks derive their levels (decision 007, ``supervision.derived_clocks``): a clock is
written once, with the days its levels start, and the levels pages read move as the sweep judges
those days, with nothing written.

The district's practice for a step (``DISTRICT_PRACTICE["step"]``): a warning from its deadline
on, a yellow card from the first working day past it, a red card from the third. The item's
handling step has a limit of 3 working days. October 2026: the 1st–7th off, Saturday the 10th
worked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from json_logic import jsonLogic

from supervision.kinds import DISTRICT_PRACTICE, _over, _warning, practice_starts
from supervision.models import Alert, JudgedDay, Level, Notification

from .conftest import accepted_case, act, alert_set, at, open_task

pytestmark = pytest.mark.django_db


def _step_alert(case):
    return Alert.objects.get(kind="step_clock", case=case, subject_id=open_task(case).pk, resolved_at__isnull=True)


def _stored(case):
    return Alert.rows.get(kind="step_clock", case=case, resolved_at__isnull=True)


@pytest.mark.parametrize("practice", sorted(DISTRICT_PRACTICE))
def test_the_starting_days_are_the_practice_s_thresholds(practice):
    """For every number of working days left, the level the starting days give is the level the
    practice's rules (json-logic, as the sweep compiles them) give."""
    p = DISTRICT_PRACTICE[practice]
    rules = {Level.WARNING: _warning(p["warning_days"]) if "warning_days" in p else None,
             Level.YELLOW: _over(p["yellow_over"]) if "yellow_over" in p else None,
             Level.RED: _over(p["red_over"]) if "red_over" in p else None}
    starts = practice_starts(practice)
    for left in range(-12, 13):
        by_rules = max([int(lv) for lv, rule in rules.items()
                        if rule and jsonLogic(rule, {"clock": {"days_left": left}})], default=0)
        by_starts = max([int(lv) for lv, start in starts.items() if -left >= start], default=0)
        assert by_starts == by_rules, (practice, left)


def test_a_step_clock_not_yet_due_is_written_ahead_and_seen_on_its_day(demo, limits_item, frozen, sweep):
    case = accepted_case(demo, limits_item, frozen, "丙公司", "2026-10-08")
    due = open_task(case).due_on
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    row = _stored(case)
    assert (row.stored_level, row.warning_from, row.stored_raised_at) == (0, due, None)
    assert not any(a[0] == "step_clock" for a in alert_set())  # pages do not see it yet

    frozen.move_to(at(due.isoformat(), 8))
    result = sweep(notify=False)
    assert result.kinds["step_clock"].raised == 0  # nothing written: the day made it a warning
    alert = _step_alert(case)
    assert (alert.level, alert.first_level, alert.raised_on) == (Level.WARNING, Level.WARNING, due)
    assert alert.raised_at == JudgedDay.objects.get(day=due).judged_at == at(due.isoformat(), 8)
    assert _stored(case).stored_level == 0


def test_a_card_the_day_brings_is_dated_by_that_day_s_first_sweep(demo, limits_item, frozen, sweep):
    case = accepted_case(demo, limits_item, frozen, "甲公司", "2026-09-24")
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    assert _step_alert(case).level == Level.YELLOW
    frozen.move_to(at("2026-10-10", 9))  # Saturday, worked
    sweep(notify=False)
    frozen.move_to(at("2026-10-10", 15))
    sweep(notify=False)
    alert = _step_alert(case)
    assert alert.level == Level.RED and alert.escalated_at == at("2026-10-10", 9)
    assert _stored(case).stored_level == Level.YELLOW  # written once, when first judged


def test_the_card_a_day_brings_is_told_like_a_written_one(demo, limits_item, frozen, sweep):
    case = accepted_case(demo, limits_item, frozen, "甲公司", "2026-09-24")
    frozen.move_to(at("2026-10-09", 8))
    sweep()
    alert = _step_alert(case)
    told = set(Notification.objects.filter(alert=alert).values_list("level", flat=True))
    assert told == {Level.YELLOW}
    frozen.move_to(at("2026-10-10", 9))
    sweep()
    told = set(Notification.objects.filter(alert=alert).values_list("level", flat=True))
    assert told == {Level.YELLOW, Level.RED}


def test_a_step_done_before_its_first_level_leaves_no_alert(demo, limits_item, frozen, sweep):
    case = accepted_case(demo, limits_item, frozen, "丙公司", "2026-10-08")
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    handled = open_task(case)
    frozen.move_to(at("2026-10-09", 11))
    act(demo.handler, case, opinion="同意")
    frozen.move_to(at("2026-10-09", 14))
    sweep(notify=False)
    assert not Alert.rows.filter(kind="step_clock", subject_id=handled.pk).exists()
    # the next step's clock is written ahead in its place
    assert _stored(case).subject_id == open_task(case).pk != handled.pk


def test_a_resolved_alert_keeps_the_level_and_moments_its_days_gave_it(demo, limits_item, frozen, sweep):
    case = accepted_case(demo, limits_item, frozen, "甲公司", "2026-09-24")
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    frozen.move_to(at("2026-10-10", 9))
    sweep(notify=False)  # red by the day
    handled = open_task(case)
    frozen.move_to(at("2026-10-10", 11))
    act(demo.handler, case, opinion="同意")
    frozen.move_to(at("2026-10-10", 14))
    sweep(notify=False)
    frozen.move_to(at("2026-10-30", 9))  # weeks later: nothing of the done step moves any more
    sweep(notify=False)
    alert = Alert.objects.get(kind="step_clock", subject_id=handled.pk)
    assert alert.resolved_at == at("2026-10-10", 14)
    assert (alert.level, alert.first_level) == (Level.RED, Level.YELLOW)
    assert alert.escalated_at == at("2026-10-10", 9)
    stored = Alert.rows.get(pk=alert.pk)
    assert (stored.stored_level, stored.red_from, stored.stored_escalated_at) == (Level.RED, None, at("2026-10-10", 9))


def test_a_stopped_clock_resolves_its_alert_at_the_level_reached(demo, limits_item, frozen, sweep):
    """A special procedure stops the case's clocks: the step's alert resolves, as a written one did."""
    case = accepted_case(demo, limits_item, frozen, "乙公司", "2026-09-21")
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    assert _step_alert(case).level == Level.RED
    frozen.move_to(at("2026-10-09", 11))
    act(demo.handler, case, "suspend", opinion="需要专家评审", procedure="专家评审", expected_days=5)
    frozen.move_to(at("2026-10-12", 9))
    sweep(notify=False)
    alert = Alert.objects.get(kind="step_clock", case=case)
    assert alert.resolved_at is not None and alert.level == Level.RED
    assert not Alert.rows.filter(kind="step_clock", case=case, resolved_at__isnull=True).exists()


def test_pages_count_levels_against_the_last_judged_day_not_the_calendar(demo, limits_item, frozen, sweep):
    """Between sweeps nothing moves: the day a level starts counts once a sweep has judged it."""
    case = accepted_case(demo, limits_item, frozen, "甲公司", "2026-09-24")
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    frozen.move_to(at("2026-10-12", 9))  # two working days later, no sweep yet
    assert _step_alert(case).level == Level.YELLOW
    assert JudgedDay.current() == dt.date(2026, 10, 9)


def _move_deadline(case, to: dt.date):
    """The open step's deadline set to ``to``, and the case marked changed (as the runtime's own
    changes are, ``Case.updated_at``), so the next sweep judges it."""
    from django.utils import timezone

    from runtime.models import Case, Task

    Task.objects.filter(pk=open_task(case).pk).update(due_on=to)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())


def test_a_deadline_moved_past_today_resolves_the_card_and_writes_the_clock_s_future(demo, limits_item, frozen, sweep):
    case = accepted_case(demo, limits_item, frozen, "甲公司", "2026-09-24")
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    carded = _step_alert(case)
    assert carded.level == Level.YELLOW
    frozen.move_to(at("2026-10-09", 11))
    _move_deadline(case, dt.date(2026, 10, 16))
    frozen.move_to(at("2026-10-09", 14))
    result = sweep(notify=False)
    assert result.kinds["step_clock"].resolved == 1
    assert Alert.objects.get(pk=carded.pk).resolved_at == at("2026-10-09", 14)
    future = _stored(case)
    assert (future.pk != carded.pk, future.stored_level, future.warning_from) == (True, 0, dt.date(2026, 10, 16))
    frozen.move_to(at("2026-10-16", 8))
    sweep(notify=False)
    assert _step_alert(case).level == Level.WARNING


def test_a_deadline_moved_earlier_escalates_now_and_keeps_what_was_reached(demo, limits_item, frozen, sweep):
    case = accepted_case(demo, limits_item, frozen, "丙公司", "2026-10-08")
    due = open_task(case).due_on
    frozen.move_to(at(due.isoformat(), 8))
    sweep(notify=False)
    assert _step_alert(case).level == Level.WARNING  # written ahead, seen on its day
    frozen.move_to(at(due.isoformat(), 11))
    _move_deadline(case, dt.date(2026, 9, 30))  # long past: a red card today
    frozen.move_to(at(due.isoformat(), 14))
    result = sweep(notify=False)
    assert result.kinds["step_clock"].escalated == 1
    alert = _step_alert(case)
    assert (alert.level, alert.first_level, alert.escalated_at) == (Level.RED, Level.WARNING, at(due.isoformat(), 14))


def test_a_step_alert_written_before_the_upgrade_carries_on_by_its_days(demo, limits_item, frozen, sweep):
    """An open step alert written the old way (its level stored, no starting days) is given its days
    by the first sweep after the upgrade, keeping its id, level and moments."""
    case = accepted_case(demo, limits_item, frozen, "甲公司", "2026-09-24")
    task = open_task(case)
    old = Alert.rows.create(kind="step_clock", subject_type="task", subject_id=task.pk, case=case,
                            department_id=task.department_id or case.department_id, level=Level.YELLOW,
                            first_level=Level.WARNING, raised_at=at("2026-09-30", 8), raised_on=dt.date(2026, 9, 30),
                            escalated_at=at("2026-10-08", 8), detail="环节时限")
    frozen.move_to(at("2026-10-09", 8))
    sweep(notify=False)
    frozen.move_to(at("2026-10-10", 9))
    sweep(notify=False)
    alert = _step_alert(case)
    assert alert.pk == old.pk and alert.level == Level.RED and alert.escalated_at == at("2026-10-10", 9)
    assert (alert.first_level, alert.raised_at) == (Level.WARNING, at("2026-09-30", 8))
    assert Alert.rows.get(pk=old.pk).red_from is not None
