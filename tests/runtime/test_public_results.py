"""审批结果公示: decisions on public items with the holder named as government sites name them;
nothing of a confidential item, nothing of a natural person beyond 张* and 3301**********1231,
on the page and in the API, whatever is searched."""

from __future__ import annotations

import pytest

from accounts.models import Applicant
from runtime import services
from runtime.public_results import decided_cases

from . import factories
from .conftest import act, approve_to_the_end, submit

pytestmark = pytest.mark.django_db


def _refuse(demo, case):
    case = act(demo.clerk, case, "approve", "材料齐全，予以受理")
    case = act(demo.handler, case, "reject", "经营场所不符合要求")
    return act(demo.clerk, case, "complete", "")


@pytest.fixture
def decided(demo, item, frozen):
    """张三 approved (a certificate), the company refused, a confidential item's case approved
    for 李四 at the window, and one case still open."""
    secret = factories.publish(factories.definition("JB-SCJG-XK-0009", name="涉密测试事项", confidential=True))
    lisi = Applicant.objects.get(user__username="lisi")
    company = Applicant.objects.get(user__username="company")
    approved = approve_to_the_end(demo, submit(demo, item))
    refused = _refuse(demo, submit(demo, item, actor=demo.company, data=factories.good_data(company="示范餐饮")))
    hidden = approve_to_the_end(demo, services.case_submit(
        actor=demo.clerk, item=secret, channel="window", applicant=lisi, form_data=factories.good_data(),
        materials=[services.MaterialInput("application", paper=True)]))
    pending = submit(demo, item)
    return {"approved": approved, "refused": refused, "hidden": hidden, "pending": pending,
            "lisi": lisi, "company": company}


def test_the_list_shows_decisions_with_natural_persons_masked(decided, client):
    page = client.get("/hall/results/").content.decode()
    approved = decided["approved"]
    assert "准予" in page and "不予" in page
    assert approved.certificate.number in page
    assert "张*" in page and "3301**********1231" in page
    assert "张三" not in page and "330106198503121231" not in page
    assert "江滨区示范餐饮有限公司" in page and decided["company"].credit_code in page  # a legal person in full
    assert "2026-03-02" in page
    assert [c.pk for c in decided_cases()] == [decided["refused"].pk, approved.pk]


def test_confidential_items_and_open_cases_never_appear(decided, client):
    lisi = decided["lisi"]
    secrets = ("涉密测试事项", "JB-SCJG-XK-0009", "李*", "李四", lisi.id_number, decided["hidden"].number)
    page = client.get("/hall/results/").content.decode()
    assert not [text for text in secrets if text in page]
    for query in ("", "涉密", "JB-SCJG-XK-0009", "李四", lisi.id_number):
        api = client.get("/api/v1/results/", {"q": query}).content.decode()
        assert not [text for text in secrets if text in api]
        if query:  # the page repeats what was typed, and finds nothing
            assert 'id="results"' not in client.get("/hall/results/", {"q": query}).content.decode()
    assert decided["pending"].pk not in [c.pk for c in decided_cases()]


def test_a_natural_person_is_not_found_by_name_or_number(decided, client):
    for query in ("张三", "330106198503121231"):
        assert client.get("/api/v1/results/", {"q": query}).json()["count"] == 0
        assert "没有与" in client.get("/hall/results/", {"q": query}).content.decode()


@pytest.mark.parametrize("listed", [1000, 0], ids=["looked up first", "through the join"])
def test_search_by_item_certificate_and_legal_person(decided, client, monkeypatch, listed):
    from runtime import public_results

    monkeypatch.setattr(public_results, "MATCHES_LISTED", listed)
    assert "张三" not in client.get("/api/v1/results/", {"q": "张三"}).content.decode()
    number = decided["approved"].certificate.number
    assert [r["certificate_number"] for r in client.get("/api/v1/results/", {"q": number}).json()["results"]] == [number]
    found = client.get("/api/v1/results/", {"q": "示范餐饮"}).json()["results"]
    assert [(r["holder"], r["decision"]) for r in found] == [("江滨区示范餐饮有限公司", "不予")]
    assert client.get("/api/v1/results/", {"q": "食品经营"}).json()["count"] == 2


def test_the_api_masks_and_pages(decided, client):
    body = client.get("/api/v1/results/", {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    row = client.get("/api/v1/results/").json()["results"][1]
    assert row == {"item_code": "JB-SCJG-XK-0001", "item_name": "食品经营许可（新办）", "department": row["department"],
                   "decision": "准予", "decided_on": "2026-03-02",
                   "certificate_number": decided["approved"].certificate.number,
                   "holder": "张*", "holder_id": "3301**********1231"}


def test_the_page_is_paginated(decided, client, monkeypatch):
    from runtime import views

    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 1)
    first = client.get("/hall/results/").content.decode()
    assert "第 1 / 2 页" in first and "下一页" in first
    second = client.get("/hall/results/", {"page": 2}).content.decode()
    assert "张*" in second and "江滨区示范餐饮有限公司" not in second


def test_the_page_counts_up_to_the_cap(decided, client, monkeypatch):
    """At a million decisions the page's "共 N 条" read them all a second time: it stops at the cap."""
    from core import paging
    from runtime import views

    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 1)
    monkeypatch.setattr(paging.CappedPaginator, "cap", 1)
    assert "超过 1 条" in client.get("/hall/results/").content.decode()
