"""The clock as the law counts it, with time frozen: National Day 2026, the swapped working
Saturday, special procedures, extensions, deemed acceptance and the end of the entered calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime import clock, selectors, services
from runtime.caselog import verify_case_log
from runtime.models import Case, CaseState, LogEntry, Task, TaskState
from runtime.tasks import deem_accepted
from workdays import working_days_between
from workdays.services import DayEntry, calendar_import_year

from . import factories
from .conftest import act, at, open_task, submit

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def test_acceptance_window_crosses_national_day_to_the_swapped_saturday(demo, item, time_machine):
    time_machine.move_to(at("2026-09-28"), tick=False)
    case = submit(demo, item)
    # 29, 30 Sep; 8, 9 Oct; and Saturday 10 Oct, a swapped working day, is the 5th.
    assert case.acceptance_due_on == D("2026-10-10") and not case.clock_provisional
    receipt = case.documents.get(template="receipt")
    assert receipt.context["acceptance_due_on"] == "2026年10月10日"


def test_due_dates_from_acceptance_and_a_special_procedure_that_stops_the_clock(demo, item, time_machine):
    time_machine.move_to(at("2026-09-28"), tick=False)
    case = submit(demo, item)
    case = act(demo.clerk, case)
    assert (case.accepted_on, case.statutory_due_on, case.promised_due_on) == (
        D("2026-09-28"), D("2026-10-30"), D("2026-10-16"))
    time_machine.move_to(at("2026-09-30"), tick=False)
    case = act(demo.handler, case, opinion="拟同意")
    review = open_task(case)
    assert review.due_on == D("2026-10-09")  # 2 working days: 8 and 9 October

    time_machine.move_to(at("2026-10-12"), tick=False)
    case = act(demo.chief, case, "suspend", "需对经营场所进行检测", procedure="检测", expected_days=5)
    assert case.state == CaseState.SUSPENDED and case.paused_since == D("2026-10-12")
    notice = case.documents.get(template="special_procedure_notice")
    # 5 working days from the start date, both included: 12–16 October
    assert notice.context["expected_end_on"] == "2026年10月16日" and notice.context["procedure"] == "检测"
    with pytest.raises(Exception, match="特殊程序进行中"):
        act(demo.chief, case)
    status = clock.status(case, D("2026-10-14"))
    assert status.phase == "paused" and status.used_days == 5  # 29, 30 Sep; 8, 9, 10 Oct; stopped from the 12th
    # the applicant's progress says the waiting step's clock stands still
    assert [s.state for s in selectors.progress(case) if s.completed_at is None] == ["待办（暂停计时）"]

    time_machine.move_to(at("2026-10-16"), tick=False)
    with pytest.raises(Exception, match="无权"):
        services.special_procedure_end(actor=demo.clerk, case=case, result="检测合格")
    case = services.special_procedure_end(actor=demo.chief, case=case, result="检测合格")
    assert case.state == CaseState.IN_PROGRESS and case.paused_days == 5  # 12–16 October do not count
    assert (case.statutory_due_on, case.promised_due_on) == (D("2026-11-06"), D("2026-10-23"))
    review = Task.objects.get(pk=review.pk)
    assert review.paused_days == 5 and review.due_on == D("2026-10-15")  # 8, 9, 10 (Sat), then 13, 14, 15 Oct
    status = clock.status(case, D("2026-10-20"))
    assert (status.used_days, status.remaining_days, status.phase) == (7, 13, "running")


def test_special_procedure_step_pauses_while_its_task_is_open(demo, time_machine):
    item = factories.publish(factories.definition("JB-SCJG-XK-0004", workflow=factories.special_step_workflow(),
                                                  name="专家评审事项"))
    time_machine.move_to(at("2026-03-02"), tick=False)
    case = submit(demo, item)
    case = act(demo.clerk, case)
    case = act(demo.handler, case, opinion="提请专家评审")
    assert case.state == CaseState.SUSPENDED and open_task(case).step_key == "expert"
    assert case.documents.filter(template="special_procedure_notice").count() == 1
    time_machine.move_to(at("2026-03-09"), tick=False)
    case = act(demo.handler, case, opinion="专家评审通过")
    assert case.state == CaseState.IN_PROGRESS and case.paused_days == 5
    assert case.statutory_due_on == D("2026-04-07")  # 2 March + 20 + 5 working days (Qingming 6 April is off)


def test_extension_needs_the_leader_and_extends_only_the_statutory_limit(demo, item, frozen):
    case = submit(demo, item)
    case = act(demo.clerk, case)
    statutory, promised = case.statutory_due_on, case.promised_due_on
    case = act(demo.handler, case, "extend", "需现场核查的场所较多", days=10)
    assert open_task(case).step_key == "handle"  # the task stays on the desk
    extension = case.extensions.get()
    with pytest.raises(Exception, match="负责人"):
        services.extension_decide(actor=demo.chief, extension=extension, approve=True, opinion="同意")
    services.extension_decide(actor=demo.leader, extension=extension, approve=True, opinion="同意延长")
    case.refresh_from_db()
    assert working_days_between(statutory, case.statutory_due_on).value == 10
    assert case.promised_due_on == promised
    assert case.documents.get(template="extension_notice").context["reason"] == "需现场核查的场所较多"
    with pytest.raises(Exception, match="只能延长一次"):
        act(demo.handler, case, "extend", "再延", days=5)


def test_deemed_acceptance_after_five_working_days(demo, item, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(at("2026-03-02"), tick=False)
    case = submit(demo, item)
    corrected = submit(demo, item)
    services.case_request_correction(actor=demo.clerk, case=corrected, items=["申请书未盖章"])
    time_machine.move_to(at("2026-03-09", 23), tick=False)
    assert deem_accepted.delay().get() == []  # the 5th working day has not ended
    time_machine.move_to(at("2026-03-10", 1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert deem_accepted.delay().get() == [case.number]
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.deemed_accepted and case.accepted_on == D("2026-03-02")
    assert case.statutory_due_on == D("2026-03-30")
    entry = LogEntry.objects.get(case=case, kind="accepted")
    assert "第三十二条" in entry.summary and "即为受理" in entry.summary
    assert Task.objects.get(case=case, step_key="accept").action == "deemed"
    assert open_task(case).step_key == "handle"
    assert "依法自收到申请材料之日起即为受理" in case.documents.get(template="acceptance_notice").context["deemed_note"]
    assert Case.objects.get(pk=corrected.pk).state == CaseState.CORRECTING  # a correction notice was issued
    assert verify_case_log(case).ok
    assert services.cases_deem_accepted() == []  # idempotent
    with pytest.raises(Exception, match="视为受理"):
        services.case_refuse(actor=demo.clerk, case=submit_late(demo, item, time_machine), reason="迟了")


def submit_late(demo, item, time_machine):
    time_machine.move_to(at("2026-03-02"), tick=False)
    case = submit(demo, item)
    time_machine.move_to(at("2026-03-10"), tick=False)
    return case


def test_end_of_2026_is_provisional_until_2027_is_entered(demo, item, time_machine,
                                                          django_capture_on_commit_callbacks):
    time_machine.move_to(at("2026-12-21"), tick=False)
    case = submit(demo, item)
    case = act(demo.clerk, case)
    # By the weekday rule alone (2027 not entered): 22 Dec … 18 Jan 2027.
    assert case.statutory_due_on == D("2027-01-18") and case.clock_provisional
    assert clock.status(case).provisional
    with django_capture_on_commit_callbacks(execute=True):
        calendar_import_year(actor=demo.admin, year=2027, note="国办发明电〔2026〕",
                             entries=[DayEntry(D("2027-01-01"), "holiday", "元旦")])
    case.refresh_from_db()
    assert case.statutory_due_on == D("2027-01-19") and not case.clock_provisional
    assert LogEntry.objects.filter(case=case, kind="clock_recomputed").count() == 1
    assert verify_case_log(case).ok
    handle = Task.objects.get(case=case, state=TaskState.OPEN)
    assert not handle.due_provisional


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=D("2025-01-01"), max_value=D("2026-12-31")),
       limit=st.integers(0, 60), paused=st.integers(0, 30), extension=st.integers(0, 10))
def test_property_due_dates_count_exactly_the_limit(day, limit, paused, extension):
    case = Case(received_on=day, statutory_limit_days=limit, promised_limit_days=min(limit, 5),
                extension_days=extension, paused_days=paused)
    clock.accept(case, day)
    assert working_days_between(day, case.statutory_due_on).value == limit + paused + extension
    assert working_days_between(day, case.promised_due_on).value == min(limit, 5) + paused
    assert case.statutory_due_on >= case.promised_due_on
