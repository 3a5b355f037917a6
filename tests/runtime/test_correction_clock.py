"""Corrections asked for after acceptance stop the clock where the item says so
(``correction_stops_clock``), from the notice until the applicant resubmits; elsewhere the clock
keeps running. National Day 2026 lies inside the correction period."""

from __future__ import annotations

import datetime as dt

import pytest

from runtime import clock, services
from runtime.caselog import verify_case_log
from runtime.models import CaseState, LogEntry, Pause, TaskState

from . import factories
from .conftest import act, at, open_task, submit

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def _item(stops: bool):
    doc = factories.definition()
    if stops:
        doc["correction_stops_clock"] = True
    return factories.publish(doc)


def _accepted_then_correction(demo, item, time_machine):
    time_machine.move_to(at("2026-09-28"), tick=False)
    case = act(demo.clerk, submit(demo, item))
    assert (case.statutory_due_on, case.promised_due_on) == (D("2026-10-30"), D("2026-10-16"))
    time_machine.move_to(at("2026-09-30"), tick=False)
    return act(demo.handler, case, "request_correction", "请补充经营场所平面图", items=["经营场所平面图"])


def _resubmit(demo, case, time_machine, day="2026-10-10"):
    time_machine.move_to(at(day), tick=False)
    return services.case_resubmit(actor=demo.zhangsan, case=case, form_data=factories.good_data(),
                                  materials=[services.MaterialInput("application", "补正.pdf", factories.PDF)])


def test_correction_after_acceptance_stops_the_clock_until_resubmission(demo, time_machine):
    case = _accepted_then_correction(demo, _item(True), time_machine)
    # the notice day was the office's: the clock stands still from the day after (民法典 art. 201)
    assert case.state == CaseState.CORRECTING and case.paused_since == D("2026-10-01")
    pause = Pause.objects.get(case=case)
    assert pause.started_on == D("2026-09-30")
    assert pause.is_correction and pause.ended_on is None
    notice = case.documents.get(template="correction_notice")
    assert "办理期限停止计算" in notice.context["clock_note"]
    status = clock.status(case, D("2026-10-09"))
    assert status.phase == "paused" and status.used_days == 2  # 29 and 30 September, then stopped

    case = _resubmit(demo, case, time_machine)
    assert case.state == CaseState.IN_PROGRESS and case.paused_since is None
    # 8, 9 and the swapped working Saturday 10 October do not count; 1–7 October were holidays anyway
    assert case.paused_days == 3
    assert (case.statutory_due_on, case.promised_due_on) == (D("2026-11-04"), D("2026-10-21"))
    assert Pause.objects.get(case=case).working_days == 3
    handle = open_task(case, "handle")
    assert handle.state == TaskState.OPEN
    kinds = list(LogEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert "pause_started" in kinds and "pause_ended" in kinds
    ended = LogEntry.objects.get(case=case, kind="pause_ended")
    assert "补正期间" in ended.summary and ended.data["working_days"] == 3
    assert verify_case_log(case).ok


def test_without_the_setting_the_clock_keeps_running_during_a_correction(demo, time_machine):
    case = _accepted_then_correction(demo, _item(False), time_machine)
    assert case.state == CaseState.CORRECTING and case.paused_since is None
    assert not Pause.objects.filter(case=case).exists()
    assert "clock_note" not in case.documents.get(template="correction_notice").context or \
        not case.documents.get(template="correction_notice").context["clock_note"]
    assert clock.status(case, D("2026-10-09")).used_days == 4  # 29, 30 Sep, 8, 9 Oct
    case = _resubmit(demo, case, time_machine)
    assert case.paused_days == 0
    assert (case.statutory_due_on, case.promised_due_on) == (D("2026-10-30"), D("2026-10-16"))


def test_correction_before_acceptance_never_pauses(demo, time_machine):
    time_machine.move_to(at("2026-09-28"), tick=False)
    case = services.case_request_correction(actor=demo.clerk, case=submit(demo, _item(True)), items=["申请书未签字"])
    assert case.paused_since is None and not Pause.objects.filter(case=case).exists()


def test_case_page_and_public_progress_show_the_stopped_clock(demo, client, time_machine):
    case = _accepted_then_correction(demo, _item(True), time_machine)
    client.force_login(demo.zhangsan)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "至申请人补正提交之日恢复计时" in page
    client.force_login(demo.handler)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "待申请人补正，计时暂停" in page and "结束特殊程序" not in page
    case = _resubmit(demo, case, time_machine)
    client.logout()
    page = client.get("/progress/", {"number": case.number, "code": case.verification_code}).content.decode()
    assert "不计入办理时限 3 个工作日" in page
