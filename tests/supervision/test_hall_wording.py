"""How the applicant's side words consultations and ratings."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from supervision import services

from ..runtime import factories
from .conftest import act, at, submit
from .test_ratings import _completed

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo, frozen):
    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    return case


def test_a_consultation_is_worded_as_a_consultation_not_a_complaint(client, demo, frozen):
    from designer.models import ApprovalItem

    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    client.force_login(demo.zhangsan)
    client.post(f"/supervision/consultations/{item.code}/", {"question": "自动售货设备需要单独办证吗？",
                                                            "contact_name": "张三", "contact_phone": "0571-86001201"})
    page = client.get("/supervision/complaints/mine/").content.decode()
    assert "咨询的问题：自动售货设备需要单独办证吗？" in page
    assert "投诉内容：自动售货设备" not in page


def test_a_low_rating_without_a_reason_says_so_once(client, demo, frozen):
    completed = _completed(demo, frozen)
    client.force_login(demo.zhangsan)
    response = client.post(f"/supervision/ratings/{completed.number}/", {"grade": "1", "comment": ""})
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["差评请写明不满意的原因"]


def test_the_rated_answer_reads_in_words(client, demo, case):
    complaint = services.complaint_file(actor=demo.zhangsan, content="办理太慢了，请督促", contact_name="张三",
                                        contact_phone="13800138000", case=case)
    services.complaint_assign(actor=demo.supervisor, complaint=complaint, department=case.department, limit_days=3)
    services.complaint_answer(actor=demo.handler, complaint=complaint, answer="已加快办理")
    services.complaint_rate(actor=demo.zhangsan, complaint=complaint, rating=2, note="还是慢")
    client.force_login(demo.zhangsan)
    page = client.get("/supervision/complaints/mine/").content.decode()
    assert "我的评价：不满意（还是慢）" in page and "2/5" not in page
    client.force_login(demo.supervisor)
    assert "不满意（还是慢）" in client.get("/supervision/complaints/").content.decode()
