"""The navigation shows each person exactly the pages they may open (core.navigation), and each
page it shows opens for them."""

from __future__ import annotations

import pytest
from django.test import Client

PUBLIC = ["办事大厅", "公示公告", "办件查询", "咨询投诉"]
DESIGNER = ["事项设计", "目录导入导出", "证照类型", "服务主题"]

EXPECTED = {
    None: PUBLIC,
    "zhangsan": [*PUBLIC, "我的投诉与评价"],
    "company": [*PUBLIC, "我的投诉与评价"],
    "clerk": ["工作台", "窗口收件", "监察通知与督办"],
    "handler": ["工作台", "监察通知与督办"],
    "chief": ["工作台", "监察通知与督办"],
    "leader": ["工作台", "监察通知与督办"],
    "editor": ["工作台", *DESIGNER, "监察通知与督办"],
    "legal": ["工作台", "事项设计", "审核队列", "目录导入导出", "证照类型", "服务主题", "上报材料", "监察通知与督办", "规则影响预览"],
    "supervisor": ["工作台", "监察大屏", "投诉处理", "绩效测评", "监察通知与督办", "专题监察", "联审监督", "规则影响预览"],
    "admin": ["工作台", *DESIGNER, "监察通知与督办", "人员与单位导入", "系统管理"],
}


def _client(demo, username):
    client = Client()
    if username:
        client.force_login(getattr(demo, username))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("username", list(EXPECTED), ids=lambda u: u or "anonymous")
def test_the_navigation_shows_what_the_person_may_open_and_each_entry_opens(demo, username):
    client = _client(demo, username)
    response = client.get("/guides/")  # a page every person may open
    nav = response.context["nav"]
    assert [n["label"] for n in nav] == EXPECTED[username]
    page = response.content.decode()
    for entry in nav:
        assert f'href="{entry["url"]}"' in page
        opened = client.get(entry["url"])
        assert opened.status_code == 200, (entry["label"], opened.status_code)


@pytest.mark.django_db
def test_only_supervisors_see_the_supervision_dashboard_in_the_navigation(demo):
    for username in ("clerk", "handler", "chief", "leader", "legal", "editor", "admin", "zhangsan"):
        page = _client(demo, username).get("/supervision/inbox/" if username != "zhangsan" else "/hall/")
        assert "监察大屏" not in page.content.decode(), username
    assert "监察大屏" in _client(demo, "supervisor").get("/supervision/inbox/").content.decode()
