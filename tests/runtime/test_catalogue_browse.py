"""The service hall's catalogue browsed by department and by theme (服务主题), combined with the
text search, on the page and in the public API; a confidential item never shows."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FOOD = "食品经营许可（新办）"
SOLE = "个体工商户设立登记"
HYGIENE = "公共场所卫生许可"
PLANNING = "建设工程规划许可"
SECRET = "涉密基础测绘成果提供使用审批"


def hall(demo, **params) -> str:
    client = Client()
    client.force_login(demo.zhangsan)
    response = client.get("/hall/", params)
    assert response.status_code == 200
    return response.content.decode()


def listed(page: str) -> set[str]:
    table = page.split('<table class="catalogue cards">', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'/hall/items/[^"]+/">([^<]+)</a>', table))


def test_by_theme(demo):
    assert listed(hall(demo, theme="construction")) == {PLANNING}
    assert listed(hall(demo, theme="business_startup")) == {FOOD, SOLE, HYGIENE}
    page = hall(demo, theme="natural_resources")
    assert listed(page) == {PLANNING} and SECRET not in page  # the confidential item has this theme too
    assert '<option value="construction" selected>建设工程</option>' in hall(demo, theme="construction")


def test_by_department_and_combined_with_the_search(demo):
    assert listed(hall(demo, department="JB-SCJG")) == {FOOD, SOLE}
    assert listed(hall(demo, department="JB-SCJG", theme="catering")) == {FOOD}
    page = hall(demo, q="个体", department="JB-SCJG", theme="business_startup")
    assert listed(page) == {SOLE}
    assert 'value="个体"' in page and '<option value="JB-SCJG" selected>' in page
    assert '<option value="business_startup" selected>' in page
    assert listed(hall(demo, q="卫生", department="JB-SCJG")) == set()
    assert "没有符合条件的事项" in hall(demo, q="卫生", department="JB-SCJG")


def test_theme_list_counts_only_what_the_hall_may_show(demo):
    page = hall(demo)
    assert listed(page) == {FOOD, SOLE, HYGIENE, PLANNING}
    assert "自然资源（1）" in page and "开办企业（3）" in page
    assert "交通运输" not in page  # no item has it: not offered
    assert SECRET not in page


def test_guide_shows_the_themes(demo):
    client = Client()
    client.force_login(demo.zhangsan)
    page = client.get("/hall/items/JB-ZRZY-XK-0001/").content.decode()
    assert '<td class="themes">建设工程、自然资源</td>' in page


def test_api_has_the_same_filters(demo):
    client = Client()
    names = {r["name"] for r in client.get("/api/v1/catalogue/", {"theme": "natural_resources"}).json()["results"]}
    assert names == {PLANNING}
    body = client.get("/api/v1/catalogue/", {"department": "JB-SCJG", "theme": "catering", "q": "食品"}).json()
    assert [r["code"] for r in body["results"]] == ["JB-SCJG-XK-0001"]
    assert body["results"][0]["themes"] == [{"code": "business_startup", "name": "开办企业"},  # the district's order
                                            {"code": "catering", "name": "餐饮服务"}]
    themes = {t["code"]: t["items"] for t in client.get("/api/v1/catalogue/themes/").json()}
    assert themes["natural_resources"] == 1 and "transport" not in themes
