"""The change history of an item (django-simple-history): who, when, what changed."""

from __future__ import annotations

import copy

import pytest

from designer import selectors, services
from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db


def test_services_record_who_and_why_without_a_request(demo):
    item = services.item_create(actor=demo.editor, department=demo.department("JB-SCJG"), item_type="XK",
                                name="小餐饮登记")
    doc = copy.deepcopy(item.definition)
    doc["public"]["fees"] = "按规定收取工本费"
    services.item_update(actor=demo.editor, item=item, definition=doc)
    services.item_submit_for_review(actor=demo.editor, item=item)
    services.item_send_back(actor=demo.legal, item=item, opinion="请补充设定依据")
    entries = selectors.item_history(item)
    assert [(e.user, e.reason) for e in entries] == [
        (demo.legal, "退回修改"), (demo.editor, "提交审核"), (demo.editor, "修改定义"), (demo.editor, "新建事项")]
    assert entries[0].columns == [("状态", "审核中", "草稿")] and entries[0].paths == []
    assert entries[2].paths == [("$.public.fees", "不收费", "按规定收取工本费")]
    assert not entries[3].changed  # the creation has nothing before it


def test_history_page_shows_who_when_and_what(client, demo):
    client.force_login(demo.editor)
    client.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "小餐饮登记"})
    code = ApprovalItem.objects.get(name="小餐饮登记").code
    page = client.get(f"/designer/items/{code}/public/")
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, False)}
    data.update(promised_limit_days=8)
    client.post(f"/designer/items/{code}/public/", data)
    client.post(f"/designer/items/{code}/submit/", {"opinion": ""})
    client.force_login(demo.legal)
    client.post(f"/designer/items/{code}/publish/", {"opinion": "同意"})
    page = client.get(f"/designer/items/{code}/history/").content.decode()
    assert "修改历史" in page and "版本比较" in page
    for text in ["发布第1版", "提交审核", "修改定义", "新建事项", "承诺时限", "$.promised_limit_days", "第1版",
                 demo.legal.display_name, demo.editor.display_name]:
        assert text in page, text
    assert page.index("发布第1版") < page.index("提交审核") < page.index("修改定义")  # newest first


def test_history_page_follows_the_item_permissions(client, demo):
    client.force_login(demo.multi)  # editor of 卫生健康局 only
    assert client.get("/designer/items/JB-SCJG-XK-0001/history/").status_code == 403
    assert client.get("/designer/items/JB-WJ-XK-0001/history/").status_code == 200
