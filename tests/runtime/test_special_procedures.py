"""Special procedures (行政许可法 art. 45) with the dates the officer records: the start date and
the end date, both included, are not counted; the applicant is told the dates in writing and on
the case page. National Day 2026 (1–7 October, Saturday 10 October a swapped working day) lies
inside the periods."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from rest_framework.test import APIClient

from core.errors import InvalidInput
from runtime import clock, services
from runtime.caselog import verify_case_log
from runtime.models import Case, CaseState, LogEntry, Pause, Task
from runtime.selectors import document_pdf
from workdays import add_working_days, is_workday, working_days_between

from . import factories
from .conftest import act, at, open_task, submit

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def working_days_in(first: dt.date, last: dt.date) -> int:
    """Counted one day at a time: the reference the clock's arithmetic must agree with."""
    days, day = 0, first
    while day <= last:
        days += is_workday(day)
        day += dt.timedelta(days=1)
    return days


def pdf_text(document) -> str:
    reader = PdfReader(io.BytesIO(document_pdf(document)))
    return "\n".join(page.extract_text() for page in reader.pages).replace(" ", "")


def _accepted(demo, item, time_machine, day="2026-09-28"):
    """Accepted on ``day`` (a Monday): statutory 20 working days, promised 10."""
    time_machine.move_to(at(day), tick=False)
    return act(demo.clerk, submit(demo, item))


def _snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (case.state, case.log_length, case.log_head, case.paused_since, case.paused_days, case.statutory_due_on,
            case.promised_due_on, Pause.objects.filter(case=case).count(), case.documents.count(),
            tuple(Task.objects.filter(case=case).values_list("state", "due_on", "paused_days").order_by("pk")))


def test_recorded_dates_over_national_day_are_left_out_both_included(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    handle = open_task(case, "handle")
    statutory, promised, handle_due = case.statutory_due_on, case.promised_due_on, handle.due_on
    assert (statutory, promised) == (D("2026-10-30"), D("2026-10-16"))

    # recorded on 9 October, the testing began on 30 September (after the step opened on the 28th)
    time_machine.move_to(at("2026-10-09"), tick=False)
    case = act(demo.handler, case, "suspend", "经营场所须检测", procedure="检测", started_on=D("2026-09-30"),
               expected_days=3)
    pause = Pause.objects.get(case=case)
    # three working days from the start date, both included: 30 September, 8 and 9 October
    assert pause.started_on == D("2026-09-30") and pause.expected_end_on == D("2026-10-09")
    assert case.state == CaseState.SUSPENDED and case.paused_since == D("2026-09-30")
    # the clock stood still from the 30th: used are 29 September only
    assert clock.status(case, D("2026-10-09")).used_days == 1

    # ended on Saturday 10 October (a swapped working day), recorded on Monday the 12th
    time_machine.move_to(at("2026-10-12"), tick=False)
    case = services.special_procedure_end(actor=demo.handler, case=case, result="检测合格", ended_on="2026-10-10")
    pause.refresh_from_db()
    assert pause.ended_on == D("2026-10-10") and pause.working_days == 4  # 30 Sep, 8, 9, 10 Oct
    assert case.paused_days == 4 and case.state == CaseState.IN_PROGRESS
    assert working_days_between(statutory, case.statutory_due_on).value == 4
    assert working_days_between(promised, case.promised_due_on).value == 4
    assert (case.statutory_due_on, case.promised_due_on) == (D("2026-11-05"), D("2026-10-22"))
    handle.refresh_from_db()
    assert working_days_between(handle_due, handle.due_on).value == 4 and handle.paused_days == 4
    # 29 Sep, then 12 Oct (the day of recording counts again)
    assert clock.status(case, D("2026-10-12")).used_days == 2
    ended = LogEntry.objects.get(case=case, kind="pause_ended")
    assert "2026-09-30至2026-10-10" in ended.summary and "不计入时限4个工作日" in ended.summary
    assert "2026-11-05" in ended.summary
    assert verify_case_log(case).ok

    # the calendar's recomputation agrees with what the end computed
    before = (case.statutory_due_on, case.promised_due_on, case.paused_days, handle.due_on)
    services.clocks_recompute()
    case.refresh_from_db()
    handle.refresh_from_db()
    assert (case.statutory_due_on, case.promised_due_on, case.paused_days, handle.due_on) == before


def test_a_start_and_end_on_holidays_leave_out_only_working_days(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    statutory = case.statutory_due_on
    time_machine.move_to(at("2026-10-08"), tick=False)
    case = act(demo.handler, case, "suspend", "专家评审", procedure="专家评审", started_on="2026-10-03",
               expected_days=2)
    assert Pause.objects.get(case=case).expected_end_on == D("2026-10-09")  # 8 and 9 October
    case = services.special_procedure_end(actor=demo.handler, case=case, result="评审通过", ended_on=D("2026-10-08"))
    assert case.paused_days == 1  # 3–7 October are holidays anyway; 8 October is left out
    assert working_days_between(statutory, case.statutory_due_on).value == 1


def test_a_procedure_started_on_the_acceptance_day_leaves_out_only_later_days(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    statutory = case.statutory_due_on
    case = act(demo.handler, case, "suspend", "听证", procedure="听证", expected_days=1)  # today, the 28th
    time_machine.move_to(at("2026-09-29"), tick=False)
    case = services.special_procedure_end(actor=demo.handler, case=case, result="听证完毕")
    # the acceptance day was never counted; 29 September is left out
    assert case.paused_days == 1 and working_days_between(statutory, case.statutory_due_on).value == 1


def test_a_special_procedure_step_starts_on_its_opening_day_and_ends_on_the_recorded_date(demo, time_machine):
    item = factories.publish(factories.definition("JB-SCJG-XK-0004", workflow=factories.special_step_workflow(),
                                                  name="专家评审事项"))
    time_machine.move_to(at("2026-09-28"), tick=False)
    case = act(demo.handler, act(demo.clerk, submit(demo, item)), opinion="提请专家评审")
    assert Pause.objects.get(case=case).started_on == D("2026-09-28")
    time_machine.move_to(at("2026-10-12"), tick=False)
    before = _snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        act(demo.handler, case, opinion="评审通过", ended_on="2026-09-27")
    assert "结束日期不能早于开始日期" in refused.value.details["ended_on"][0]
    assert _snapshot(case) == before
    case = act(demo.handler, case, opinion="评审通过", ended_on=D("2026-10-09"))
    pause = Pause.objects.get(case=case)
    # from the opening (and acceptance) day on 28 September: 29, 30 September, 8 and 9 October
    assert pause.ended_on == D("2026-10-09") and pause.working_days == case.paused_days == 4
    assert case.state == CaseState.IN_PROGRESS


@pytest.mark.parametrize(("started_on", "field", "message"), [
    ("2026-09-27", "started_on", "不能早于本环节“承办”的开始日期（2026年9月28日）"),
    ("2026-10-13", "started_on", "开始日期不能晚于今天（2026年10月12日）"),
    ("2026-13-01", "started_on", "年-月-日"),
])
def test_start_dates_the_officer_may_not_record_are_refused_and_nothing_is_saved(demo, item, time_machine,
                                                                                  started_on, field, message):
    case = _accepted(demo, item, time_machine)
    time_machine.move_to(at("2026-10-12"), tick=False)
    before = _snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        act(demo.handler, case, "suspend", "检验", procedure="检验", started_on=started_on, expected_days=3)
    assert message in refused.value.details[field][0]
    assert _snapshot(case) == before


def test_every_problem_of_the_suspend_form_is_reported_at_once(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    with pytest.raises(InvalidInput) as refused:
        act(demo.handler, case, "suspend", "检验", procedure="体检", started_on="2026-09-29", expected_days=0)
    assert set(refused.value.details) == {"procedure", "expected_days", "started_on"}


def test_end_dates_before_the_start_or_in_the_future_are_refused_and_nothing_is_saved(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    time_machine.move_to(at("2026-10-08"), tick=False)
    case = act(demo.handler, case, "suspend", "鉴定", procedure="鉴定", expected_days=3)
    time_machine.move_to(at("2026-10-12"), tick=False)
    before = _snapshot(case)
    for ended_on, message in [("2026-10-07", "结束日期不能早于开始日期（2026年10月8日）"),
                              ("2026-10-13", "结束日期不能晚于今天")]:
        with pytest.raises(InvalidInput) as refused:
            services.special_procedure_end(actor=demo.handler, case=case, result="鉴定完毕", ended_on=ended_on)
        assert message in refused.value.details["ended_on"][0]
        assert _snapshot(case) == before
    with pytest.raises(InvalidInput) as refused:
        services.special_procedure_end(actor=demo.handler, case=case, result="", ended_on="2026-10-07")
    assert set(refused.value.details) == {"result", "ended_on"}


def test_a_day_is_left_out_once_when_a_procedure_starts_on_the_day_the_last_one_ended(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)  # accepted Monday 28 September
    time_machine.move_to(at("2026-09-29"), tick=False)
    case = act(demo.handler, case, "suspend", "检验", procedure="检验", expected_days=1)
    case = services.special_procedure_end(actor=demo.handler, case=case, result="合格")  # 29 September
    before = _snapshot(case)
    with pytest.raises(InvalidInput) as refused:  # before the day the last one ended: refused
        act(demo.handler, case, "suspend", "检测", procedure="检测", expected_days=1, started_on="2026-09-28")
    assert "上一次停止计时的结束日期" in refused.value.details["started_on"][0]
    assert _snapshot(case) == before
    # on that very day (a second procedure opened when the first ended): allowed, the day counted once
    case = act(demo.handler, case, "suspend", "检测", procedure="检测", expected_days=1)
    time_machine.move_to(at("2026-09-30"), tick=False)
    case = services.special_procedure_end(actor=demo.handler, case=case, result="合格")
    assert [p.working_days for p in Pause.objects.filter(case=case).order_by("pk")] == [1, 1]
    assert case.paused_days == 2  # 29 and 30 September
    services.clocks_recompute()
    assert Case.objects.get(pk=case.pk).paused_days == 2


def test_the_notices_state_the_dates_and_that_the_time_is_not_counted(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    time_machine.move_to(at("2026-10-09"), tick=False)
    case = act(demo.handler, case, "suspend", "场所布局须经专家论证", procedure="专家评审", started_on="2026-09-30",
               expected_days=3)
    text = pdf_text(case.documents.get(template="special_procedure_notice"))
    for expected in ["特别程序告知书", "专家评审", "2026年9月30日", "3个工作日", "2026年10月9日", "不计入办理时限",
                     "场所布局须经专家论证", case.number]:
        assert expected in text, expected
    assert "·" not in text
    time_machine.move_to(at("2026-10-12"), tick=False)
    case = services.special_procedure_end(actor=demo.handler, case=case, result="论证通过", ended_on="2026-10-10")
    text = pdf_text(case.documents.get(template="special_procedure_end_notice"))
    for expected in ["特别程序结束告知书", "2026年9月30日", "2026年10月10日", "4个工作日", "2026年11月5日", "论证通过"]:
        assert expected in text, expected


def test_the_applicant_sees_the_running_procedure_with_its_dates_and_notice(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    time_machine.move_to(at("2026-10-09"), tick=False)
    case = act(demo.handler, case, "suspend", "须检验", procedure="检验", started_on="2026-09-30", expected_days=3)
    client = Client()
    client.force_login(demo.zhangsan)
    page = client.get(f"/cases/{case.number}/").content.decode()
    notice = case.documents.get(template="special_procedure_notice")
    assert "特别程序进行中：检验" in page and "开始日期 2026-09-30" in page and "2026-10-09 结束" in page
    assert f"/cases/{case.number}/documents/{notice.number}.pdf" in page and "不计入办理时限" in page
    assert client.get(f"/cases/{case.number}/documents/{notice.number}.pdf").status_code == 200


def test_the_staff_page_records_the_dates_and_keeps_refused_input_next_to_the_field(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    time_machine.move_to(at("2026-10-09"), tick=False)
    task = open_task(case, "handle")
    client = Client()
    client.force_login(demo.handler)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "程序种类" in page and 'name="started_on" type="date" value="2026-10-09"' in page
    assert "预计所需时间（工作日）" in page
    before = _snapshot(case)
    url = f"/cases/{case.number}/tasks/{task.pk}/act/"
    response = client.post(url, {"action": "suspend", "opinion": "须检验", "procedure": "检验",
                                 "started_on": "2026-09-01", "expected_days": "7"})
    page = response.content.decode()
    assert response.status_code == 400 and _snapshot(case) == before
    assert 'class="field-error">开始日期不能早于本环节' in page
    assert 'value="2026-09-01"' in page and 'value="7"' in page and ">须检验</textarea>" in page
    assert "<option selected>检验</option>" in page
    response = client.post(url, {"action": "suspend", "opinion": "须检验", "procedure": "检验",
                                 "started_on": "2026-09-30", "expected_days": "3"})
    assert response.status_code == 302
    assert Pause.objects.get(case=case).started_on == D("2026-09-30")

    time_machine.move_to(at("2026-10-12"), tick=False)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert 'name="ended_on" type="date" value="2026-10-12"' in page
    response = client.post(f"/cases/{case.number}/end-special-procedure/", {"result": "合格", "ended_on": "2026-09-29"})
    assert response.status_code == 400 and 'class="field-error">结束日期不能早于开始日期' in response.content.decode()
    response = client.post(f"/cases/{case.number}/end-special-procedure/", {"result": "合格", "ended_on": "2026-10-10"})
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).paused_days == 4


def test_the_api_takes_the_dates_and_describes_them(demo, item, time_machine):
    case = _accepted(demo, item, time_machine)
    time_machine.move_to(at("2026-10-09"), tick=False)
    api = APIClient()
    api.force_authenticate(demo.handler)
    task = open_task(case, "handle")
    refused = api.post(f"/api/v1/tasks/{task.pk}/act/", {"action": "suspend", "opinion": "须检测", "procedure": "检测",
                                                          "started_on": "2026-10-10", "expected_days": 3},
                       format="json")
    assert refused.status_code == 400 and "started_on" in refused.json()["details"]
    ok = api.post(f"/api/v1/tasks/{task.pk}/act/", {"action": "suspend", "opinion": "须检测", "procedure": "检测",
                                                     "started_on": "2026-09-30", "expected_days": 3}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "suspended"
    time_machine.move_to(at("2026-10-12"), tick=False)
    refused = api.post(f"/api/v1/cases/{case.number}/end-special-procedure/", {"result": "合格",
                                                                               "ended_on": "2026-09-29"}, format="json")
    assert refused.status_code == 400 and "ended_on" in refused.json()["details"]
    ok = api.post(f"/api/v1/cases/{case.number}/end-special-procedure/", {"result": "合格", "ended_on": "2026-10-10"},
                  format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "in_progress"
    assert Case.objects.get(pk=case.pk).paused_days == 4
    schema = api.get("/api/schema/?format=json")
    assert schema.status_code == 200
    components = schema.json()["components"]["schemas"]
    assert {"started_on", "ended_on"} <= set(components["Act"]["properties"])
    assert "ended_on" in components["EndSpecialProcedure"]["properties"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accepted=st.dates(min_value=D("2025-01-01"), max_value=D("2026-11-30")),
       start_after=st.integers(0, 40), length=st.integers(0, 40), opened_after=st.integers(0, 20),
       limit=st.integers(1, 40), expected=st.integers(1, 30))
def test_property_due_dates_move_by_the_working_days_left_out(accepted, start_after, length, opened_after, limit,
                                                              expected):
    """For any acceptance day, step opening, start S and end E: the due dates move by exactly the
    working days of [S, E] the period would have counted, the end and a recomputation agree, and
    the clock's used days leave them out."""
    opened = accepted + dt.timedelta(days=opened_after)
    started = opened + dt.timedelta(days=start_after)
    ended = started + dt.timedelta(days=length)
    case = Case(received_on=accepted, statutory_limit_days=limit, promised_limit_days=limit, extension_days=0)
    clock.accept(case, accepted)
    task = Task(opened_on=opened, limit_days=limit)
    clock.task_due(task)
    statutory, promised, task_due = case.statutory_due_on, case.promised_due_on, task.due_on

    pause = Pause(procedure="检测", expected_days=expected, started_on=started)
    clock.pause_start(case, pause)
    assert working_days_in(started, pause.expected_end_on) == expected and is_workday(pause.expected_end_on)
    case_days = working_days_in(max(started, accepted + dt.timedelta(days=1)), ended)
    task_days = working_days_in(max(started, opened + dt.timedelta(days=1)), ended)
    assert clock.status(case, ended).used_days == (working_days_in(accepted + dt.timedelta(days=1), ended)
                                                   - case_days)
    clock.pause_end(case, pause, ended, [task])
    assert pause.working_days == case.paused_days == case_days
    assert working_days_between(statutory, case.statutory_due_on).value == case_days
    assert working_days_between(promised, case.promised_due_on).value == case_days
    assert working_days_between(task_due, task.due_on).value == task_days == task.paused_days
    assert case.statutory_due_on == add_working_days(accepted, limit + case_days).value

    again = Case(received_on=accepted, accepted_on=accepted, statutory_limit_days=limit, promised_limit_days=limit)
    fresh = Task(opened_on=opened, limit_days=limit)
    clock.recompute(again, [fresh], [pause])
    assert (again.paused_days, again.statutory_due_on, fresh.paused_days, fresh.due_on) == (
        case.paused_days, case.statutory_due_on, task.paused_days, task.due_on)
