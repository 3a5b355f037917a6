"""公示 (public notice): a step that publishes the fields the item names on the public hall for
its period, takes objections from anyone, and moves on by itself when the period ends. National
Day 2026 (1–7 October; Saturday 10 October a swapped working day) lies inside the periods."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.test import Client

from core.errors import Conflict, InvalidInput
from core.schedule import LocalScheduler
from designer import services as designer_services
from designer.models import ApprovalItem
from designer.validation import definition_problems
from runtime import services
from runtime.caselog import verify_case_log
from runtime.models import Case, CaseState, LogEntry, Objection, Pause, PublicNotice, Task, TaskState
from workdays import add_working_days

from . import factories
from .conftest import act, at, open_task, submit

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
ID_NUMBER, PHONE = "11010519491231002X", "13900139001"


def notice_form() -> dict:
    form = factories.form()
    form["schema"]["properties"].update(
        legal_id={"title": "法定代表人身份证号码", "x-field": "id_number", "type": "string", "format": "id-number"},
        phone={"title": "联系电话", "x-field": "mobile", "type": "string", "format": "mobile"})
    form["ui_schema"]["order"] += ["legal_id", "phone"]
    return form


def notice_step(**settings) -> dict:
    return factories.step("notice", "public_notice", "许可事项公示", "handler", None, 2, ["approve", "return", "reject"],
                          ["decide"], return_to=["handle"], **{
                              "notice_days": 7, "notice_day_kind": "calendar", "counts_toward_limit": False,
                              "notice_title": "食品经营许可拟准予许可公示",
                              "notice_fields": ["company", "address", "business"], **settings})


def notice_workflow(**settings) -> dict:
    """受理 → 承办 → 公示 → 批准 → 办结."""
    step = factories.step
    return {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", 1, ["approve", "request_correction", "reject"],
             ["handle"]),
        step("handle", "handle", "承办", "handler", None, 2, factories.WORK, ["notice"], return_to=["accept"]),
        notice_step(**settings),
        step("decide", "approve", "批准", "leader", None, 1, factories.WORK, ["done"], return_to=["handle"]),
        step("done", "complete", "办结", "window_clerk", "JB-SPJ", 1, ["complete"]),
    ]}


def publish_item(code="JB-SCJG-XK-0001", confidential=False, **settings):
    doc = factories.definition(code, workflow=notice_workflow(**settings), confidential=confidential)
    doc["form"] = notice_form()
    return factories.publish(doc)


def at_notice(demo, item, time_machine, *, accepted="2026-09-28", handled="2026-09-29"):
    """Accepted on Monday 28 September 2026; 承办 done (the notice published) on the 29th."""
    time_machine.move_to(at(accepted), tick=False)
    case = submit(demo, item, data=factories.good_data(legal_id=ID_NUMBER, phone=PHONE))
    case = act(demo.clerk, case)
    time_machine.move_to(at(handled), tick=False)
    return act(demo.handler, case, opinion="材料齐全，拟准予许可，予以公示")


# --- The definition ----------------------------------------------------------------------------

def test_a_public_notice_without_a_period_or_with_an_unknown_field_is_refused_whole(demo):
    item = designer_services.item_create(actor=demo.editor, department=demo.department("JB-SCJG"), item_type="XK",
                                         name="小餐饮登记")
    before = copy.deepcopy(item.definition)
    doc = copy.deepcopy(before)
    doc["form"] = notice_form()
    doc["workflow"] = notice_workflow()
    index = 2
    del doc["workflow"]["steps"][index]["notice_days"]
    doc["workflow"]["steps"][index]["notice_fields"] = ["company", "licence_no"]
    with pytest.raises(InvalidInput) as caught:
        designer_services.item_update(actor=demo.editor, item=item, definition=doc)
    details = caught.value.details
    assert details[f"$.workflow.steps[{index}].notice_days"] == ["公示步骤须设定公示期（1–90天）"]
    assert details[f"$.workflow.steps[{index}].notice_fields[1]"] == [
        "“licence_no”不是申请表中的字段，也不是本步骤之前环节的决定事项"]
    assert "未保存任何修改" in caught.value.message
    item.refresh_from_db()
    assert item.definition == before


CAPACITY_FORM = {"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                            "required": ["capacity"], "properties": {
    "capacity": {"title": "核定消费者容量", "x-field": "number", "type": "integer", "minimum": 1}}},
    "ui_schema": {"order": ["capacity"], "fields": {}}}


def test_a_notice_publishes_an_earlier_steps_decision_with_its_title(demo, time_machine):
    doc = factories.definition(workflow=notice_workflow(notice_fields=["company", "decision.handle.capacity"]))
    doc["form"] = notice_form()
    doc["workflow"]["steps"][1]["decision_form"] = CAPACITY_FORM
    item = factories.publish(doc)
    time_machine.move_to(at("2026-09-28"), tick=False)
    case = act(demo.clerk, submit(demo, item, data=factories.good_data(legal_id=ID_NUMBER, phone=PHONE)))
    act(demo.handler, case, opinion="拟准予许可，予以公示", decision={"capacity": 60})
    notice = PublicNotice.objects.get(case=case)
    assert notice.fields[1] == {"title": "核定消费者容量", "value": "60"}


def test_a_notice_may_not_publish_the_decision_of_a_later_step(demo):
    doc = factories.definition(workflow=notice_workflow(notice_fields=["company", "decision.decide.capacity"]))
    doc["form"] = notice_form()
    doc["workflow"]["steps"][3]["decision_form"] = CAPACITY_FORM
    assert dict(definition_problems(doc))["$.workflow.steps[2].notice_fields[1]"] == [
        "“decision.decide.capacity”不是申请表中的字段，也不是本步骤之前环节的决定事项"]


def test_settings_are_checked_by_their_schema_and_belong_to_the_notice(demo):
    doc = factories.definition(workflow=notice_workflow(notice_days=0))
    doc["form"] = notice_form()
    assert dict(definition_problems(doc)) == {"$.workflow.steps[2].notice_days": ["不能小于 1"]}

    doc = factories.definition(workflow=notice_workflow())
    doc["form"] = notice_form()
    doc["workflow"]["steps"][1]["notice_title"] = "不该有的标题"
    del doc["workflow"]["steps"][2]["counts_toward_limit"]
    problems = dict(definition_problems(doc))
    assert problems["$.workflow.steps[1].notice_title"] == ["只有“公示”步骤可以设置公示标题"]
    assert problems["$.workflow.steps[2].counts_toward_limit"] == [
        "公示步骤须说明公示期是否计入办理时限（事项依据的法律法规有规定）"]


def test_a_stage_notice_is_named_by_the_stage_path_and_reads_the_stage_form(demo):
    doc = factories.staged_definition()
    cancel = doc["stages"][1]
    cancel["workflow"]["steps"].insert(1, {
        **notice_step(notice_fields=["company", "address"]), "actions": ["approve"], "return_to": [],
        "transitions": [{"to": "done"}]})
    cancel["workflow"]["steps"][0]["transitions"] = [{"to": "notice"}]
    problems = dict(definition_problems(doc, certificate_types={"JY", "YYZZ"}))
    # 注销 has its own form, without an address
    assert problems == {"$.stages[1].workflow.steps[1].notice_fields[1]": [
        "“address”不是申请表中的字段，也不是本步骤之前环节的决定事项"]}


# --- Publication, the hall, objections ---------------------------------------------------------

def test_opening_publishes_seven_calendar_days_over_national_day_and_stops_the_clock(demo, time_machine):
    item = publish_item()
    case = at_notice(demo, item, time_machine)
    notice = PublicNotice.objects.get(case=case)
    assert (notice.starts_on, notice.ends_on) == (D("2026-09-29"), D("2026-10-05"))  # the day of publication first
    assert notice.fields == [{"title": "经营者名称", "value": "江滨区示范餐饮有限公司"},
                             {"title": "经营场所", "value": "江滨区美食街5号"},
                             {"title": "经营项目", "value": "热食类食品制售"}]
    task = Task.objects.get(case=case, step_key="notice")
    assert task.state == TaskState.NOTICE and task.assignee is None
    assert case.state == CaseState.SUSPENDED and case.paused_since == D("2026-09-29")
    pause = Pause.objects.get(case=case)
    assert (pause.procedure, pause.expected_days) == ("公示", 2)  # 29 and 30 September
    entry = LogEntry.objects.get(case=case, kind="notice_published")
    assert "公示期2026-09-29至2026-10-05（7个自然日），不计入办理时限" in entry.summary
    assert not case.documents.filter(template="special_procedure_notice").exists()  # not art. 45
    # nobody's desk: not in the inbox, not actable
    with pytest.raises(Conflict):
        services.task_complete(actor=demo.handler, task=task, action="approve", opinion="提前结束")


def test_five_working_days_end_on_the_swapped_saturday(demo, time_machine):
    case = at_notice(demo, publish_item(notice_day_kind="working", notice_days=5), time_machine)
    notice = PublicNotice.objects.get(case=case)
    # 29, 30 September, 8, 9 October and Saturday 10 October (a working day)
    assert (notice.starts_on, notice.ends_on) == (D("2026-09-29"), D("2026-10-10"))
    assert notice.period_text == "5个工作日"


def test_the_hall_lists_the_notice_to_anyone_with_the_published_fields_only(demo, time_machine):
    case = at_notice(demo, publish_item(), time_machine)
    notice = PublicNotice.objects.get(case=case)
    anonymous = Client()
    hall = anonymous.get("/hall/").content.decode()
    assert "/hall/notices/" in hall
    listing = anonymous.get("/hall/notices/").content.decode()
    assert "食品经营许可拟准予许可公示" in listing and f"/hall/notices/{notice.pk}/" in listing
    page = anonymous.get(f"/hall/notices/{notice.pk}/").content.decode()
    for text in ("经营者名称", "江滨区示范餐饮有限公司", "经营项目", "热食类食品制售", "2026-09-29 至 2026-10-05", "提交异议"):
        assert text in page
    for secret in (ID_NUMBER, PHONE, case.verification_code, "法定代表人身份证号码", "company"):
        assert secret not in page


def test_an_id_number_is_published_only_when_the_item_lists_it(demo, time_machine):
    case = at_notice(demo, publish_item(notice_fields=["company", "legal_id"]), time_machine)
    page = Client().get(f"/hall/notices/{PublicNotice.objects.get(case=case).pk}/").content.decode()
    assert "法定代表人身份证号码" in page and ID_NUMBER in page


def test_a_confidential_items_notice_never_appears(demo, time_machine):
    item = publish_item("JB-SCJG-XK-0003", confidential=True)
    time_machine.move_to(at("2026-09-28"), tick=False)
    person = services.ApplicantInput("natural", "钱七", ID_NUMBER, PHONE)
    case = services.case_intake_at_window(actor=demo.clerk, item=item, applicant=person,
                                          form_data=factories.good_data(),
                                          materials=[services.MaterialInput("application", paper=True)])
    case = act(demo.clerk, case)
    case = act(demo.handler, case, opinion="拟准予许可")
    notice = PublicNotice.objects.get(case=case)
    anonymous = Client()
    assert notice.title not in anonymous.get("/hall/notices/").content.decode()
    assert anonymous.get(f"/hall/notices/{notice.pk}/").status_code == 404
    with pytest.raises(Conflict):
        services.objection_submit(notice=notice, name="王五", contact="13800000000", text="我有异议，请核实")


def test_an_anonymous_objection_is_stored_logged_and_shown_to_the_staff(demo, time_machine, client):
    case = at_notice(demo, publish_item(), time_machine)
    notice = PublicNotice.objects.get(case=case)
    anonymous = Client(enforce_csrf_checks=True)
    url = f"/hall/notices/{notice.pk}/"
    anonymous.get(url)
    token = anonymous.cookies["csrftoken"].value
    refused = anonymous.post(url, {"csrfmiddlewaretoken": token, "name": "王五", "contact": "", "text": "有"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "请填写联系方式" in page and "请写明异议的内容和理由" in page and 'value="王五"' in page
    assert Objection.objects.count() == 0

    sent = anonymous.post(url, {"csrfmiddlewaretoken": token, "name": "王五", "contact": "13800000000",
                                "text": "该经营场所紧邻小学，油烟扰民，请核实。"}, follow=True)
    objection = Objection.objects.get()
    assert f"受理编号：{objection.number}" in sent.content.decode()
    assert (objection.notice, objection.name, objection.contact) == (notice, "王五", "13800000000")
    entry = LogEntry.objects.get(case=case, kind="objection_received")
    assert objection.number in entry.summary and "王五" not in entry.summary and "13800000000" not in str(entry.data)
    assert verify_case_log(Case.objects.get(pk=case.pk)).ok

    client.force_login(demo.handler)
    staff_page = client.get(f"/cases/{case.number}/").content.decode()
    assert "收到的异议（1件）" in staff_page and "油烟扰民" in staff_page and "王五" in staff_page
    client.force_login(demo.zhangsan)
    own_page = client.get(f"/cases/{case.number}/").content.decode()
    assert "公示中" in own_page and "2026-10-05" in own_page and "王五" not in own_page


def test_objections_are_throttled_per_address(demo, time_machine):
    from django.core.cache import cache

    cache.clear()
    case = at_notice(demo, publish_item(), time_machine)
    url = f"/hall/notices/{PublicNotice.objects.get(case=case).pk}/"
    anonymous = Client()
    codes = [anonymous.post(url, {"name": f"市民{i}", "contact": "13800000000", "text": "请核实经营场所情况"}).status_code
             for i in range(6)]
    assert codes == [302] * 5 + [429]
    assert Objection.objects.count() == 5
    cache.clear()


# --- The end of the period -----------------------------------------------------------------------

def test_without_objections_the_scheduler_moves_the_case_on_the_day_after(
        demo, time_machine, django_capture_on_commit_callbacks):
    from config.celery import app

    case = at_notice(demo, publish_item(), time_machine)
    statutory_before = Case.objects.get(pk=case.pk).statutory_due_on
    assert statutory_before == add_working_days(D("2026-09-28"), 20).value
    scheduler = LocalScheduler(app)  # the wall clock, frozen here: its first tick runs the hourly duties

    time_machine.move_to(at("2026-10-05", 23), tick=False)  # the last day of the notice
    assert services.notices_close() == []

    time_machine.move_to(at("2026-10-06", 1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert "runtime.close_notices" in scheduler.tick()
    case.refresh_from_db()
    task = Task.objects.get(case=case, step_key="notice")
    assert task.state == TaskState.DONE and task.completed_by is None and task.opinion == "公示期满，未收到异议"
    assert open_task(case).step_key == "decide"
    assert case.state == CaseState.IN_PROGRESS and case.paused_since is None
    # the working days of the period (29 and 30 September) are not counted
    assert case.paused_days == 2
    assert case.statutory_due_on == add_working_days(D("2026-09-28"), 22).value == D("2026-11-03")
    assert PublicNotice.objects.get(case=case).closed_at is not None
    assert "食品经营许可拟准予许可公示" not in Client().get("/hall/notices/").content.decode()
    closed = Client().get(f"/hall/notices/{task.public_notice.pk}/").content.decode()
    assert "已结束" in closed and "提交异议" not in closed

    log_length = case.log_length
    assert services.notices_close() == []  # idempotent
    assert Case.objects.get(pk=case.pk).log_length == log_length
    assert verify_case_log(case).ok


def test_a_period_that_counts_toward_the_limit_leaves_the_clock_running(demo, time_machine):
    case = at_notice(demo, publish_item(counts_toward_limit=True), time_machine)
    assert case.state == CaseState.IN_PROGRESS and case.paused_since is None
    assert not Pause.objects.filter(case=case).exists()
    time_machine.move_to(at("2026-10-06", 1), tick=False)
    assert services.notices_close() == [case.number]
    case.refresh_from_db()
    assert case.paused_days == 0 and case.statutory_due_on == D("2026-10-30")
    assert open_task(case).step_key == "decide"


def test_with_objections_the_step_role_handles_them_before_the_case_moves_on(demo, time_machine):
    case = at_notice(demo, publish_item(), time_machine)
    notice = PublicNotice.objects.get(case=case)
    time_machine.move_to(at("2026-10-02"), tick=False)
    services.objection_submit(notice=notice, name="匿名", contact="jiangbin@example.com", text="经营场所面积与申报不符")

    time_machine.move_to(at("2026-10-06", 1), tick=False)
    assert services.notices_close() == [case.number]
    case.refresh_from_db()
    task = open_task(case, "notice")
    assert task.state == TaskState.OPEN and task.opened_on == D("2026-10-06")
    assert task.due_on == add_working_days(D("2026-10-06"), 2).value
    assert case.state == CaseState.IN_PROGRESS and case.paused_days == 2
    assert "收到异议1件" in LogEntry.objects.get(case=case, kind="notice_closed").summary
    assert services.notices_close() == []  # idempotent: the handling task stays as it is

    with pytest.raises(InvalidInput):  # how they were handled must be written down
        act(demo.handler, case, opinion="", step="notice")
    case = act(demo.handler, case, opinion="经现场核查，面积与申报一致，异议不成立", step="notice")
    assert open_task(case).step_key == "decide"
    task.refresh_from_db()
    assert task.completed_by == demo.handler and "异议不成立" in task.opinion


def test_an_objection_after_the_period_is_refused(demo, time_machine):
    case = at_notice(demo, publish_item(), time_machine)
    notice = PublicNotice.objects.get(case=case)
    time_machine.move_to(at("2026-10-06", 0), tick=False)  # over, not yet closed by the scheduler
    with pytest.raises(Conflict):
        services.objection_submit(notice=notice, name="王五", contact="13800000000", text="逾期提出的异议")
    assert Objection.objects.count() == 0


def test_a_withdrawal_during_the_notice_takes_it_off_the_hall(demo, time_machine):
    case = at_notice(demo, publish_item(), time_machine)
    services.case_withdraw(actor=demo.zhangsan, case=case, reason="不再经营")
    assert Task.objects.get(case=case, step_key="notice").state == TaskState.CANCELLED
    assert "食品经营许可拟准予许可公示" not in Client().get("/hall/notices/").content.decode()
    time_machine.move_to(at("2026-10-06", 1), tick=False)
    assert services.notices_close() == []


def test_the_step_editor_offers_the_notice_settings_in_chinese(client, demo):
    code = ApprovalItem.objects.filter(definition__workflow__isnull=False).exclude(state="published").values_list(
        "code", flat=True).first() or designer_services.item_create(
            actor=demo.editor, department=demo.department("JB-SCJG"), item_type="XK", name="小餐饮登记").code
    client.force_login(demo.editor)
    page = client.get(f"/designer/items/{code}/workflow/", {"step": ""}).content.decode()
    assert "（public_notice）" not in page  # the type by its Chinese name only (issue 14)
    for label in ('<option value="public_notice">公示</option>', "公示期（天数，1–90）（仅“公示”步骤）", "自然日", "工作日",
                  "公示期计入办理时限（仅“公示”步骤）", "公示内容（申请表字段或之前环节的决定事项）（仅“公示”步骤）"):
        assert label in page
