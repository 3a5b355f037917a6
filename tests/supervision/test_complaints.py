"""Complaints: file → assign (with a limit and its clock) → answer → rate."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, Conflict, InvalidInput
from supervision import services
from supervision.models import Alert, Complaint

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo, frozen):
    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    return case


def test_complaint_from_filing_to_rating_with_its_clock(client, demo, case, frozen, sweep):
    client.force_login(demo.zhangsan)
    client.post("/supervision/complaints/new/", {"case": case.number, "content": "窗口人员态度生硬，材料被要求重复提交",
                                                 "contact_name": "张三", "contact_phone": "13800138000"})
    complaint = Complaint.objects.get()
    assert (complaint.number, complaint.state, complaint.department.code, complaint.complainant) == (
        "TS-20261012-0001", "filed", "JB-SCJG", demo.zhangsan)
    client.force_login(demo.supervisor)
    client.post(f"/supervision/complaints/{complaint.pk}/assign/", {"department": "JB-SCJG", "limit_days": "3"})
    complaint.refresh_from_db()
    assert (complaint.state, str(complaint.due_on)) == ("assigned", "2026-10-15")
    frozen.move_to(at("2026-10-13", 9))  # 2 working days left: warning
    sweep()
    assert Alert.objects.get(kind="complaint_clock").get_level_display() == "预警"
    frozen.move_to(at("2026-10-20", 9))  # 3 days over: red
    sweep()
    alert = Alert.objects.get(kind="complaint_clock")
    assert (alert.get_level_display(), alert.department.code, alert.case_id) == ("红牌", "JB-SCJG", case.pk)
    client.force_login(demo.chief)
    assert complaint.number in client.get("/supervision/inbox/").content.decode()
    client.post(f"/supervision/complaints/{complaint.pk}/answer/", {"answer": "已约谈窗口人员并整改"})
    complaint.refresh_from_db()
    alert.refresh_from_db()
    assert complaint.state == "answered" and alert.resolved_at is not None
    client.force_login(demo.zhangsan)
    page = client.get("/supervision/complaints/mine/").content.decode()
    assert "已约谈窗口人员并整改" in page
    client.post(f"/supervision/complaints/{complaint.pk}/rate/", {"rating": "4", "note": "处理及时"})
    complaint.refresh_from_db()
    assert (complaint.state, complaint.rating, complaint.rating_note) == ("rated", 4, "处理及时")


def test_anyone_may_file_with_contact_details(client, demo, frozen):
    response = client.post("/supervision/complaints/new/", {"department": "JB-SCJG", "content": "电话一直无人接听，无法咨询",
                                                            "contact_name": "李先生", "contact_phone": "0571-86001234"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.complainant is None and complaint.department.code == "JB-SCJG"
    page = client.post("/supervision/complaints/new/", {"content": "短", "contact_name": "", "contact_phone": "x"})
    text = page.content.decode()
    assert "请写明投诉的事实和诉求" in text and "请填写联系人" in text and "请填写有效的联系电话" in text


def test_who_may_do_what(demo, case):
    with pytest.raises(InvalidInput):  # another applicant's case
        services.complaint_file(actor=demo.lisi, content="与我无关的办件投诉", contact_name="李四",
                                contact_phone="13900139000", case=case)
    complaint = services.complaint_file(actor=demo.zhangsan, content="办理太慢了，请督促", contact_name="张三",
                                        contact_phone="13800138000", case=case)
    with pytest.raises(AccessDenied):
        services.complaint_assign(actor=demo.handler, complaint=complaint, department=case.department, limit_days=3)
    with pytest.raises(Conflict):
        services.complaint_answer(actor=demo.handler, complaint=complaint, answer="先答复")
    services.complaint_assign(actor=demo.supervisor, complaint=complaint, department=case.department, limit_days=3)
    with pytest.raises(Conflict):
        services.complaint_assign(actor=demo.supervisor, complaint=complaint, department=case.department, limit_days=3)
    with pytest.raises(AccessDenied):  # another department's staff
        services.complaint_answer(actor=demo.multi, complaint=complaint, answer="不是我们单位")
    with pytest.raises(AccessDenied):  # only the complainant rates
        services.complaint_rate(actor=demo.lisi, complaint=complaint, rating=5)
    services.complaint_answer(actor=demo.handler, complaint=complaint, answer="已加快办理")
    with pytest.raises(InvalidInput):
        services.complaint_rate(actor=demo.zhangsan, complaint=complaint, rating=6)
    services.complaint_rate(actor=demo.zhangsan, complaint=complaint, rating=1, note="不满意")
    with pytest.raises(Conflict):
        services.complaint_rate(actor=demo.zhangsan, complaint=complaint, rating=5)


def test_consultation_about_an_item_is_answered_within_its_limit(client, demo, frozen, sweep):
    from designer.models import ApprovalItem

    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    frozen.move_to(at("2026-10-12", 9))
    client.force_login(demo.zhangsan)
    client.post(f"/supervision/consultations/{item.code}/", {"question": "自动售货设备需要单独办证吗？",
                                                              "contact_name": "张三", "contact_phone": "13800138000"})
    asked = Complaint.objects.get(kind="consultation")
    assert (asked.number, asked.state, asked.department.code, str(asked.due_on)) == (
        "ZX-20261012-0001", "assigned", "JB-SCJG", "2026-10-19")
    frozen.move_to(at("2026-10-16", 9))  # 1 working day left: warning
    sweep()
    assert Alert.objects.get(kind="complaint_clock", subject_id=asked.pk).get_level_display() == "预警"
    client.force_login(demo.handler)
    assert "自动售货设备需要单独办证吗" in client.get("/supervision/inbox/").content.decode()
    client.post(f"/supervision/complaints/{asked.pk}/answer/", {"answer": "需在许可申请中一并申报设备清单"})
    client.force_login(demo.zhangsan)
    assert "需在许可申请中一并申报设备清单" in client.get("/supervision/complaints/mine/").content.decode()
    with pytest.raises(Conflict):
        services.complaint_rate(actor=demo.zhangsan, complaint=asked, rating=5)
    page = client.post(f"/supervision/consultations/{item.code}/", {"question": "短", "contact_name": "",
                                                                     "contact_phone": ""}).content.decode()
    assert "请写明要咨询的问题" in page


def _answered(demo, case):
    complaint = services.complaint_file(actor=demo.zhangsan, content="窗口人员态度生硬，材料被要求重复提交",
                                        contact_name="张三", contact_phone="13800138000", case=case)
    services.complaint_assign(actor=demo.supervisor, complaint=complaint, department=case.department, limit_days=3)
    return complaint


def test_the_office_finds_a_complaint_upheld_and_the_complainant_sees_why(client, demo, case):
    complaint = _answered(demo, case)
    client.force_login(demo.supervisor)
    assert f'action="/supervision/complaints/{complaint.pk}/conclude/"' not in \
        client.get("/supervision/complaints/").content.decode()  # not before the department answers
    response = client.post(f"/supervision/complaints/{complaint.pk}/conclude/",
                           {"finding": "upheld", "finding_reasons": "经核查属实"}, follow=True)
    assert "须被投诉单位答复后再认定" in response.content.decode()
    services.complaint_answer(actor=demo.chief, complaint=complaint, answer="已约谈窗口人员并整改")
    page = client.get("/supervision/complaints/").content.decode()
    assert f'action="/supervision/complaints/{complaint.pk}/conclude/"' in page and "部分成立" in page

    response = client.post(f"/supervision/complaints/{complaint.pk}/conclude/",
                           {"finding": "partly_upheld", "finding_reasons": ""}, follow=True)
    assert "请写明认定理由" in response.content.decode()
    client.post(f"/supervision/complaints/{complaint.pk}/conclude/",
                {"finding": "partly_upheld", "finding_reasons": "态度问题属实，重复提交材料系申请人误解"})
    complaint.refresh_from_db()
    assert (complaint.finding, complaint.found_by, complaint.upheld) == ("partly_upheld", demo.supervisor, True)
    response = client.post(f"/supervision/complaints/{complaint.pk}/conclude/",
                           {"finding": "not_upheld", "finding_reasons": "改判不成立"}, follow=True)
    assert "已认定为部分成立" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.finding == "partly_upheld"

    client.force_login(demo.zhangsan)
    mine = client.get("/supervision/complaints/mine/").content.decode()
    assert "效能办认定：<strong>投诉部分成立</strong>" in mine and "重复提交材料系申请人误解" in mine


def test_only_a_supervisor_finds_and_only_complaints(demo, case):
    complaint = _answered(demo, case)
    services.complaint_answer(actor=demo.chief, complaint=complaint, answer="已整改")
    with pytest.raises(AccessDenied):
        services.complaint_conclude(actor=demo.chief, complaint=complaint, finding="not_upheld", reasons="本单位认为不成立")
    with pytest.raises(InvalidInput) as refused:
        services.complaint_conclude(actor=demo.supervisor, complaint=complaint, finding="maybe", reasons="理由写得很清楚")
    assert "finding" in refused.value.details
    complaint.refresh_from_db()
    assert complaint.finding == "" and complaint.found_at is None
    question = services.consultation_ask(actor=demo.zhangsan, item=case.item, question="需要哪些材料呢？",
                                         contact_name="张三", contact_phone="13800138000")
    with pytest.raises(Conflict):
        services.complaint_conclude(actor=demo.supervisor, complaint=question, finding="upheld", reasons="不适用于咨询")
