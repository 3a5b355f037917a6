"""The overdue demo case is made through the runtime's services acting as of days ago (their
``now``), not by faking the clock: its log, tasks and clock are dated then, its row's update
time is the present."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_demo_case_is_dated_days_ago_through_the_services_now(time_machine):
    from core.demo import run_demo_loaders
    from runtime.caselog import verify_case_log
    from runtime.models import Case, LogEntry, Task
    from supervision.demo import WORKING_DAYS_AGO, load_demo
    from workdays import add_working_days

    present = dt.datetime(2026, 10, 20, 9, tzinfo=SHANGHAI)
    time_machine.move_to(present, tick=False)
    run_demo_loaders(lambda _msg: None)
    load_demo(lambda _msg: None)

    case = Case.objects.get()
    received = add_working_days(dt.date(2026, 10, 20), -WORKING_DAYS_AGO).value
    submitted = dt.datetime.combine(received, dt.time(9), tzinfo=SHANGHAI)
    accepted = dt.datetime.combine(received, dt.time(10), tzinfo=SHANGHAI)
    assert case.submitted_at == submitted and case.received_on == received and case.accepted_on == received
    assert case.promised_due_on < dt.date(2026, 10, 20)  # overdue: a red card to show
    assert set(LogEntry.objects.filter(case=case).values_list("at", flat=True)) == {submitted, accepted}
    assert Task.objects.get(case=case, step_key="accept").completed_at == accepted
    assert case.updated_at == present  # the row itself was written now
    assert verify_case_log(case).ok
