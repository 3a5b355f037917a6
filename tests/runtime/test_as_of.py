"""Services act "as of" an explicit ``now``: the log, the tasks, the clock and the documents take
that moment, not the wall clock (used by the demo data, imports and replays)."""

from __future__ import annotations

import datetime as dt

import pytest

from runtime import services
from runtime.caselog import verify_case_log
from runtime.models import Document, LogEntry, Task
from workdays import add_working_days

from .conftest import at, open_task, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(time_machine):
    """The wall clock stands at a later day than the moments the services are told to act as of."""
    time_machine.move_to(at("2026-03-20", 15), tick=False)


def test_submission_as_of_a_moment_dates_log_task_clock_and_receipt(demo, item, later):
    moment = at("2026-03-02", 9)
    case = submit(demo, item, now=moment)

    assert case.number.split("-")[-2] == "20260302"
    assert case.submitted_at == moment and case.received_on == dt.date(2026, 3, 2)
    assert case.acceptance_due_on == dt.date(2026, 3, 9)  # 5 working days after Monday 2 March
    assert set(LogEntry.objects.filter(case=case).values_list("at", flat=True)) == {moment}
    task = open_task(case)
    assert task.opened_at == moment and task.opened_on == dt.date(2026, 3, 2)
    assert task.due_on == add_working_days(dt.date(2026, 3, 2), task.limit_days).value < dt.date(2026, 3, 20)
    receipt = Document.objects.get(case=case, template="receipt")
    assert receipt.issued_at == moment
    assert receipt.context["received_at"] == "2026年03月02日 09:00"
    assert receipt.context["issued_on"] == "2026年3月2日"
    assert verify_case_log(case).ok


def test_an_action_as_of_a_moment_dates_the_log_the_tasks_and_the_clock(demo, item, later):
    case = submit(demo, item, now=at("2026-03-02", 9))
    moment = at("2026-03-03", 10)
    case = services.task_complete(actor=demo.clerk, task=open_task(case), action="approve", opinion="予以受理",
                                  now=moment)

    assert case.accepted_on == dt.date(2026, 3, 3)
    assert case.statutory_due_on > case.accepted_on
    done = Task.objects.get(case=case, step_key="accept")
    assert done.completed_at == moment
    following = open_task(case)
    assert following.opened_at == moment and following.opened_on == dt.date(2026, 3, 3)
    entries = LogEntry.objects.filter(case=case, seq__gt=1).exclude(at=at("2026-03-02", 9))
    assert entries.exists() and set(entries.values_list("at", flat=True)) == {moment}
    notice = Document.objects.get(case=case, template="acceptance_notice")
    assert notice.issued_at == moment and notice.context["accepted_on"] == "2026年3月3日"
    assert verify_case_log(case).ok


def test_without_now_services_act_at_the_present(demo, item, later):
    case = submit(demo, item)
    assert case.submitted_at == at("2026-03-20", 15)
    assert set(LogEntry.objects.filter(case=case).values_list("at", flat=True)) == {at("2026-03-20", 15)}
