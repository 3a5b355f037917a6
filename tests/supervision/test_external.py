"""Cases pushed in by a department's own system are judged by the same sweep: clock rows from their
pushed dates (or their limits on the platform's calendar), the district's rules, alerts under
their department on the dashboard, resolved when a later push completes them."""

from __future__ import annotations

import datetime as dt

import pytest

import workdays
from supervision import selectors
from supervision.models import Alert, ClockRow, Notification
from supervision.workday_index import ordinal_of

from .conftest import at
from .test_inbound import batch, case_record, event_record, push

pytestmark = pytest.mark.django_db


def _open() -> set[tuple[str, str, str]]:
    from supervision.models import ExternalCase

    numbers = dict(ExternalCase.objects.values_list("pk", "number"))
    return {(numbers[a.subject_id], a.get_level_display(), a.department.code)
            for a in Alert.objects.filter(kind="external_case_clock", resolved_at__isnull=True)}


def test_pushed_cases_are_judged_shown_and_resolved(client, demo, item, frozen, sweep):
    frozen.move_to(at("2026-10-14", 9))
    records = [
        case_record("W-1"),  # dates given: promised 2026-10-26, statutory 2026-11-09
        # no dates given: accepted Thu 2026-09-24, 5 / 8 working days across Mid-Autumn and National Day
        case_record("W-2", received_on="2026-09-24", accepted_on="2026-09-24", promised_limit_days=5,
                    statutory_limit_days=8, promised_due_on=None, statutory_due_on=None),
        case_record("W-3", state="suspended", promised_due_on="2026-10-13"),  # clock stopped
        case_record("W-4", state="completed", completed_on="2026-10-13", promised_due_on="2026-10-13"),
        event_record(1, case="W-2", at="2026-09-24T09:30:00+08:00"),
    ]
    assert push(demo.editor, batch(records)).json()["rejected"] == []
    sweep(notify=True)
    rows = {r.subject_id: r for r in ClockRow.objects.filter(group="external")}
    assert len(rows) == 2
    computed = {(r.due_ord, r.statutory_due_ord) for r in rows.values()}
    start = dt.date(2026, 9, 24)  # the same calendar as the runtime's: the deadlines it would have set
    assert (ordinal_of(workdays.add_working_days(start, 5).value),
            ordinal_of(workdays.add_working_days(start, 8).value)) in computed
    assert str(workdays.add_working_days(start, 5).value) == "2026-10-09"
    # W-2 due 2026-10-09 (promised) and 2026-10-13 (statutory): 3 past the one, 1 past the other
    assert _open() == {("W-2", "黄牌", "JB-SCJG")}

    frozen.move_to(at("2026-10-28", 9))  # W-1: 2 working days past its promised 2026-10-26; W-2 escalates
    sweep(notify=True)
    assert _open() == {("W-1", "黄牌", "JB-SCJG"), ("W-2", "红牌", "JB-SCJG")}
    count = Alert.objects.filter(kind="external_case_clock").count()
    sweep(notify=True)
    assert Alert.objects.filter(kind="external_case_clock").count() == count
    told = Notification.objects.filter(alert__kind="external_case_clock", recipient=demo.supervisor)
    assert sorted(told.values_list("level", flat=True)) == [2, 2, 3]  # W-2 yellow then red; W-1 yellow

    # on the dashboard: counted under the department, listed with the pushed number
    counts = {row.department: row.counts for row in selectors.counts_by_department()}
    assert counts["江滨区市场监督管理局"][2] == 1 and counts["江滨区市场监督管理局"][3] == 1
    client.force_login(demo.supervisor)
    page = client.get("/supervision/").content.decode()
    assert "外部系统办件 W-2" in page and "外部系统办件 W-1" in page

    # a later push: W-2's completion event, W-1 completed
    frozen.move_to(at("2026-10-28", 15))
    later = [event_record(2, case="W-2", at="2026-10-28T14:00:00+08:00", kind="completed", action="complete"),
             case_record("W-1", state="completed", completed_on="2026-10-28")]
    assert push(demo.editor, batch(later)).json()["rejected"] == []
    frozen.move_to(at("2026-10-28", 16))
    sweep(notify=False)
    assert _open() == set()
    assert Alert.objects.filter(kind="external_case_clock", resolved_at=at("2026-10-28", 16)).count() == 2


def test_a_pushed_case_and_a_runtime_case_with_the_same_facts_get_the_same_deadlines(demo, item, frozen, sweep):
    """One function (runtime.clock.deadlines) for both: an approved extension lengthens the
    statutory limit only (行政许可法 art. 42); the promised limit is the department's own."""
    from runtime import clock
    from runtime.models import Case
    from supervision.models import ExternalCase

    frozen.move_to(at("2026-10-14", 9))
    facts = {"accepted_on": dt.date(2026, 9, 24), "statutory": 8, "promised": 5, "extension": 10, "paused": 2}
    runtime_case = Case(received_on=facts["accepted_on"], statutory_limit_days=facts["statutory"],
                        promised_limit_days=facts["promised"], paused_days=facts["paused"])
    clock.accept(runtime_case, facts["accepted_on"])
    clock.extend(runtime_case, facts["extension"])

    record = case_record("W-9", received_on="2026-09-24", accepted_on="2026-09-24",
                         statutory_limit_days=facts["statutory"], promised_limit_days=facts["promised"],
                         extension_days=facts["extension"], paused_days=facts["paused"],
                         statutory_due_on=None, promised_due_on=None)
    assert push(demo.editor, batch([record])).json()["rejected"] == []
    pushed = ExternalCase.objects.get(number="W-9")
    assert (pushed.statutory_due_on, pushed.promised_due_on) == (runtime_case.statutory_due_on,
                                                                 runtime_case.promised_due_on)
    start = facts["accepted_on"]
    assert runtime_case.promised_due_on == workdays.add_working_days(start, 5 + 2).value  # no extension
    assert runtime_case.statutory_due_on == workdays.add_working_days(start, 8 + 10 + 2).value
    sweep(notify=False)  # and the sweep judges the pushed case by those dates
    row = ClockRow.objects.get(group="external", subject_id=pushed.pk)
    assert (row.due_ord, row.statutory_due_ord) == (ordinal_of(runtime_case.promised_due_on),
                                                    ordinal_of(runtime_case.statutory_due_on))
