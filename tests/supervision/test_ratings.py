"""Ratings of completed cases (好差评); a poor rating opens a rectification followed up like a complaint."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, Conflict, InvalidInput
from supervision import services
from supervision.models import Alert, CaseRating, Complaint

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


def _completed(demo, frozen):
    item = factories.publish(factories.definition())
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    act(demo.handler, case, opinion="符合条件")
    act(demo.chief, case, opinion="同意")
    act(demo.leader, case, opinion="准予许可")
    act(demo.clerk, case, "complete", opinion="")
    case.refresh_from_db()
    assert case.state == "completed"
    return case


def test_poor_rating_opens_a_rectification_with_its_clock(client, demo, frozen, sweep):
    case = _completed(demo, frozen)
    client.force_login(demo.zhangsan)
    page = client.get("/supervision/complaints/mine/").content.decode()
    assert case.number in page and "非常不满意" in page
    client.post(f"/supervision/ratings/{case.number}/", {"grade": "1", "comment": "跑了三次窗口才办成"})
    rating = CaseRating.objects.get(case=case)
    rectification = rating.rectification
    assert (rating.grade, rectification.kind, rectification.state, rectification.department.code,
            str(rectification.due_on)) == (1, "rectification", "assigned", "JB-SCJG", "2026-10-19")
    assert f'id="rate-{case.number}"' not in client.get("/supervision/complaints/mine/").content.decode()
    frozen.move_to(at("2026-10-21", 9))  # 2 working days over: yellow
    sweep()
    assert Alert.objects.get(kind="complaint_clock", subject_id=rectification.pk).get_level_display() == "黄牌"
    services.complaint_answer(actor=demo.chief, complaint=rectification, answer="已约谈窗口并优化一次性告知")
    services.complaint_rate(actor=demo.zhangsan, complaint=rectification, rating=4)
    assert Complaint.objects.get(pk=rectification.pk).state == "rated"


def test_good_rating_opens_nothing_and_rules_hold(demo, frozen):
    case = _completed(demo, frozen)
    with pytest.raises(AccessDenied):
        services.case_rate(actor=demo.lisi, case=case, grade=5)
    with pytest.raises(InvalidInput):  # a poor rating needs its reason
        services.case_rate(actor=demo.zhangsan, case=case, grade=2)
    services.case_rate(actor=demo.zhangsan, case=case, grade=5, comment="")
    assert CaseRating.objects.get(case=case).rectification is None and not Complaint.objects.exists()
    with pytest.raises(Conflict):
        services.case_rate(actor=demo.zhangsan, case=case, grade=4)


def test_an_open_case_cannot_be_rated(demo, frozen):
    item = factories.publish(factories.definition())
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    with pytest.raises(Conflict):
        services.case_rate(actor=demo.zhangsan, case=case, grade=5)
