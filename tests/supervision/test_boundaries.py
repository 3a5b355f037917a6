"""What "a day over" means, at the boundaries (docs/supervision.md, “How days are counted”).

Case accepted Mon 2026-10-12; promised limit 5 → due Mon 2026-10-19; statutory 6 → Tue 2026-10-20.
District defaults (the published practice): warning 2 working days before the promised limit,
yellow card more than 1 working day past it, red card more than 1 working day past the statutory
limit. Then, for every clock kind, its levels at each number of working days left.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Department
from supervision.kinds import register_rule_kinds, rule_kinds
from supervision.models import Alert, ClockRow
from supervision.services import judge_kind
from supervision.workday_index import ensure_index, ordinal_of

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


def _level(case):
    alert = Alert.objects.filter(kind="case_clock", case=case, resolved_at__isnull=True).first()
    return alert.get_level_display() if alert else "—"


def test_levels_minute_by_minute(demo, frozen, sweep):
    item = factories.publish(factories.definition(promised=5, statutory=6))
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    case.refresh_from_db()
    assert (str(case.promised_due_on), str(case.statutory_due_on)) == ("2026-10-19", "2026-10-20")
    last_minute, first_second = dt.time(23, 59, 59), dt.time(0, 0, 1)
    seen = []
    for day, time in [("2026-10-14", last_minute), ("2026-10-15", first_second), ("2026-10-16", last_minute),
                      ("2026-10-17", dt.time(12)), ("2026-10-18", last_minute), ("2026-10-19", last_minute),
                      ("2026-10-20", first_second), ("2026-10-20", last_minute), ("2026-10-21", first_second),
                      ("2026-10-21", last_minute), ("2026-10-22", first_second)]:
        frozen.move_to(dt.datetime.combine(dt.date.fromisoformat(day), time, tzinfo=timezone.get_current_timezone()))
        sweep(kinds=["case_clock"], verify_logs=False, notify=False)
        seen.append((day, _level(case)))
    assert seen == [
        ("2026-10-14", "—"),  # 3 working days left (15, 16, 19)
        ("2026-10-15", "预警"),  # 2 left: from the first second of the day
        ("2026-10-16", "预警"),  # 1 left
        ("2026-10-17", "预警"),  # Saturday: still 1 left — a weekend uses up nothing
        ("2026-10-18", "预警"),
        ("2026-10-19", "预警"),  # the due day itself, to its last second: 0 left, not over
        ("2026-10-20", "预警"),  # 1 working day past the promised limit (a begun day counts): not MORE than 1
        ("2026-10-20", "预警"),  # ... to the day's last second (the statutory due day: 0 past it)
        ("2026-10-21", "黄牌"),  # 2 past the promised limit: more than 1 → yellow; 1 past the statutory one
        ("2026-10-21", "黄牌"),
        ("2026-10-22", "红牌"),  # 2 past the statutory limit: more than 1 → red, from the first second
    ]
    warning = Alert.objects.get(kind="case_clock", case=case)
    assert (warning.first_level, warning.level) == (1, 3)  # one alert, escalated in place


def test_promised_red_card_of_an_item(demo, frozen, sweep):
    """An item may count its red card against the promised limit (statutory far away)."""
    doc = factories.definition(promised=2, statutory=20)
    doc["supervision"] = {"red_card": {"limit": "promised", "overdue_days_over": 3}}
    item = factories.publish(doc)
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")  # due Wed 2026-10-14
    levels = []
    for day in ["2026-10-15", "2026-10-16", "2026-10-19", "2026-10-20"]:  # 1, 2, 3, 4 working days over
        frozen.move_to(at(day, 9))
        sweep(kinds=["case_clock"], verify_logs=False, notify=False)
        levels.append(_level(case))
    assert levels == ["预警", "黄牌", "黄牌", "红牌"]


# (kind, [(working days left on the limit, level)]): "—" none, W warning, Y yellow, R red.
CLOCKS = [
    ("pre_review_clock", [(0, "—"), (-3, "—"), (-4, "Y"), (-5, "Y"), (-6, "R")]),  # yellow >3 over, red >5
    ("certificate_clock", [(1, "—"), (0, "—"), (-1, "Y"), (-30, "Y")]),  # yellow on any overrun
    ("step_clock", [(1, "—"), (0, "W"), (-1, "Y"), (-2, "Y"), (-3, "R")]),
    ("special_procedure_clock", [(3, "—"), (2, "W"), (0, "W"), (-1, "Y"), (-2, "R")]),
    ("order_clock", [(3, "—"), (2, "W"), (0, "W"), (-1, "W"), (-2, "Y"), (-3, "R")]),
    ("complaint_clock", [(3, "—"), (2, "W"), (0, "W"), (-1, "W"), (-2, "Y"), (-3, "R")]),
]
# the case clocks: (promised days left, statutory days left, level) under the district defaults
CASES = [(3, 10, "—"), (2, 10, "W"), (0, 10, "W"), (-1, 10, "W"), (-2, 10, "Y"), (-9, -1, "Y"),
         (-9, -2, "R"), (0, 0, "W"), (-2, -2, "R")]
GROUP = {"pre_review_clock": ("task", "accept", "online"), "certificate_clock": ("task", "complete", "window"),
         "step_clock": ("task", "handle", "window"), "special_procedure_clock": ("pause", "", "window"),
         "order_clock": ("order", "", ""), "complaint_clock": ("complaint", "", ""),
         "case_clock": ("case", "", "window"), "external_case_clock": ("external", "", "window")}
LEVEL = {1: "W", 2: "Y", 3: "R"}


def _runtime_rows(group, step_type, channel, rows, today, unit) -> list[int]:
    """Cases (or one open step each) of an item with no rules of its own (the district defaults),
    accepted, their deadlines the working days ``rows`` say from ``today``: the case and step clocks
    are read from the runtime's rows themselves. Returns the subjects' ids in order."""
    import workdays
    from accounts.models import Applicant
    from runtime.models import Case, Task

    def due(left):
        return workdays.add_working_days(today, left).value if left else today

    item = factories.publish(factories.definition(promised=5, statutory=10))
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(number=f"BOUNDARY-{i}", verification_code="000000", item=item, version=item.current_version,
             unit_code=item.code, unit_name=item.name, department=item.department, applicant=Applicant.objects.first(),
             channel=channel, form_data={}, state="in_progress", submitted_at=now, received_on=today,
             acceptance_due_on=today, accepted_on=today, promised_limit_days=5, statutory_limit_days=10,
             promised_due_on=due(left), statutory_due_on=due(statutory))
        for i, (left, statutory) in enumerate(rows))
    if group == "case":
        return [c.pk for c in cases]
    tasks = Task.objects.bulk_create(
        Task(case=c, step_key=step_type, step_name="环节", step_type=step_type, role="handler", department_id=unit,
             state="open", opened_at=now, opened_on=today, limit_days=5, due_on=due(left))
        for c, (left, _statutory) in zip(cases, rows, strict=True))
    return [t.pk for t in tasks]


def _judge(key, rows, today):
    register_rule_kinds()
    ensure_index()
    group, step_type, channel = GROUP[key]
    unit = Department.objects.get(code="JB-SCJG").pk
    base = ordinal_of(today)
    if group in ("case", "task"):
        subjects = _runtime_rows(group, step_type, channel, rows, today, unit)
    else:
        ClockRow.objects.bulk_create(
            ClockRow(group=group, subject_id=i + 1, department_id=unit, step_type=step_type, channel=channel,
                     limit_days=5, statutory_limit_days=10, due_ord=base + left, statutory_due_ord=base + statutory)
            for i, (left, statutory) in enumerate(rows))
        subjects = [i + 1 for i in range(len(rows))]
    judge_kind(rule_kinds.get(key), today=today, now=timezone.now())
    got = dict(Alert.objects.filter(kind=key, resolved_at__isnull=True).values_list("subject_id", "level"))
    return [LEVEL.get(got.get(subject), "—") for subject in subjects]


@pytest.mark.parametrize(("key", "table"), CLOCKS, ids=[k for k, _ in CLOCKS])
def test_each_clock_at_its_boundaries(demo, key, table):
    assert _judge(key, [(left, left) for left, _ in table], dt.date(2026, 10, 14)) == [lv for _, lv in table]


@pytest.mark.parametrize("key", ["case_clock", "external_case_clock"])
def test_case_clocks_at_their_boundaries(demo, key):
    """Cases and the cases pushed in by departments' own systems: the same district rules."""
    rows = [(left, statutory) for left, statutory, _ in CASES]
    assert _judge(key, rows, dt.date(2026, 10, 14)) == [lv for _, _, lv in CASES]


def test_item_override_changes_the_warning(demo, frozen, sweep):
    doc = factories.definition(promised=10, statutory=20)
    doc["supervision"] = {"warning": {"limit": "promised", "remaining_days": 5}}
    item = factories.publish(doc)
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")  # due 2026-10-26
    frozen.move_to(at("2026-10-19", 9))  # 5 working days left
    sweep(kinds=["case_clock"], verify_logs=False, notify=False)
    assert _level(case) == "预警"


def test_a_year_beyond_the_calendar_does_not_crash(demo, frozen, sweep):
    """Dates in a year with no entered calendar are counted by the weekday rule."""
    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-12-28", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    frozen.move_to(at("2027-01-11", 9))
    sweep(verify_logs=False, notify=False)
    assert _level(case) in {"黄牌", "红牌"}
