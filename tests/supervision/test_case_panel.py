"""Supervision on the runtime's pages (through runtime.extensions): the case page shows open
orders, complaints and alerts to those who may see them; the hall and the item guide link to
consultation and rating."""

from __future__ import annotations

import pytest

from supervision import services

from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervised(demo, item, frozen, sweep):
    """An overdue case with its alerts, an open order and two complaints: one assigned to the
    department, one just filed (not assigned yet)."""
    frozen.move_to(at("2026-09-01", 9))
    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    frozen.move_to(at("2026-10-20", 9))
    sweep()
    services.order_issue(actor=demo.supervisor, case=case, instruction="请立即办结并说明超期原因", limit_days=3)
    assigned = services.complaint_file(actor=demo.zhangsan, content="超过承诺时限仍未办结", contact_name="张三",
                                       contact_phone="13800138000", case=case)
    services.complaint_assign(actor=demo.supervisor, complaint=assigned, department=case.department, limit_days=5)
    services.complaint_file(actor=demo.zhangsan, content="窗口电话无人接听的问题", contact_name="张三",
                            contact_phone="13800138000", case=case)
    return case


def panel(client, user, case) -> str | None:
    client.force_login(user)
    response = client.get(f"/cases/{case.number}/")
    assert response.status_code == 200
    text = response.content.decode()
    if 'id="supervision"' not in text:
        return None
    start = text.index('id="supervision"')
    return text[start:text.index("</section>", start)]


def test_the_supervisor_sees_every_open_record_and_the_drill_down(client, demo, supervised):
    text = panel(client, demo.supervisor, supervised)
    assert "【黄牌】" in text or "【红牌】" in text
    assert "请立即办结并说明超期原因" in text
    assert "超过承诺时限仍未办结" in text and "窗口电话无人接听的问题" in text
    assert f'href="/supervision/cases/{supervised.number}/"' in text


def test_the_department_sees_what_is_addressed_to_it_but_not_unassigned_complaints(client, demo, supervised):
    text = panel(client, demo.handler, supervised)
    assert "请立即办结并说明超期原因" in text and "超过承诺时限仍未办结" in text
    assert "窗口电话无人接听的问题" not in text  # the office has not assigned it yet
    assert "【" in text and "/supervision/cases/" not in text  # alerts, no drill-down


def test_no_panel_for_those_who_may_not_see_supervision_records(client, demo, supervised):
    assert panel(client, demo.zhangsan, supervised) is None  # the applicant
    assert panel(client, demo.clerk, supervised) is None  # a window clerk answers for no unit


def test_a_reply_and_a_finding_take_records_off_the_panel(client, demo, supervised):
    from supervision.models import Complaint, SupervisionOrder

    services.order_reply(actor=demo.chief, order=SupervisionOrder.objects.get(), reply="已办结")
    for complaint in Complaint.objects.all():
        if complaint.state == "filed":
            services.complaint_assign(actor=demo.supervisor, complaint=complaint, department=supervised.department,
                                      limit_days=5)
        services.complaint_answer(actor=demo.chief, complaint=complaint, answer="已说明情况")
        services.complaint_conclude(actor=demo.supervisor, complaint=complaint, finding="not_upheld",
                                    reasons="经核查不属实的部分")
    text = panel(client, demo.supervisor, supervised)
    assert "督办单" not in text and "投诉" not in text and "【" in text  # the alerts are still open


def test_the_hall_and_the_guide_link_to_consultation_and_rating(client, demo, item, frozen):
    frozen.move_to(at("2026-09-01", 9))
    client.force_login(demo.zhangsan)
    guide = client.get(f"/hall/items/{item.code}/").content.decode()
    assert f'href="/supervision/consultations/{item.code}/"' in guide and "咨询本事项" in guide
    assert "待评价" not in client.get("/hall/").content.decode()

    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    for actor in (demo.handler, demo.chief, demo.leader):
        case = act(actor, case)
    act(demo.clerk, case, "complete", "")
    hall = client.get("/hall/").content.decode()
    assert "评价我的已办结办件（1件待评价）" in hall and 'href="/supervision/complaints/mine/"' in hall
    assert "评价我办结的本事项办件" in client.get(f"/hall/items/{item.code}/").content.decode()
    services.case_rate(actor=demo.zhangsan, case=case, grade=5)
    assert "待评价" not in client.get("/hall/").content.decode()
