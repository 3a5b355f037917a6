"""Every list that grows is paged by twenty (core.paging), its other parameters kept."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_supervisors_complaints_are_paged(demo):
    from supervision.services import complaint_file

    for n in range(23):
        complaint_file(actor=None, content=f"窗口排队时间过长第{n}次", contact_name="王五", contact_phone="0571-86001201")
    first = _as(demo.supervisor).get("/supervision/complaints/")
    assert first.status_code == 200 and len(first.context["complaints"]) == 20
    assert "第 1 / 2 页，共 23 条" in first.content.decode()
    second = _as(demo.supervisor).get("/supervision/complaints/", {"page": 2})
    assert len(second.context["complaints"]) == 3


def test_the_inbox_pages_each_of_its_lists_by_its_own_parameter(demo):
    response = _as(demo.handler).get("/supervision/inbox/", {"orders_page": 3})
    assert response.status_code == 200
    assert response.context["orders"].number == 1  # no orders: the one (empty) page
    assert response.context["notifications"].paginator.per_page == 20


def test_the_designer_lists_are_paged(demo):
    items = _as(demo.legal).get("/designer/", {"page": "x"})
    assert items.status_code == 200 and items.context["items"].number == 1
    assert _as(demo.legal).get("/designer/review/").context["items"].paginator.per_page == 20
