"""In a real browser: the efficiency office builds a theme (专题监察) with the condition builder —
clicks and Chinese, no JSON — runs it, downloads its Excel and turns a finding into an order."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.fixtures.browser import two_width_shots
from tests.runtime import factories

from .test_themes import accept, new_case, returned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(transactional_db, time_machine):
    from core.demo import run_demo_loaders

    time_machine.move_to(dt.datetime(2026, 3, 4, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
    run_demo_loaders(lambda _msg: None)


def test_the_office_builds_runs_and_exports_a_theme(district, login, page):
    from tests.conftest import Personas

    demo = Personas()
    item = factories.publish(factories.definition())
    twice = returned(demo, accept(demo, new_case(demo, item, "甲：退回两次")), 2)
    returned(demo, accept(demo, new_case(demo, item, "乙：退回一次")), 1)

    login("supervisor")
    page.get_by_role("link", name="专题监察").first.click()
    page.get_by_role("link", name="新建专题").click()
    page.get_by_label("专题名称").fill("本月受理、退回两次以上的办件")
    page.get_by_label("期间", exact=True).select_option(label="本月")
    builder = page.locator(".rule-builder")
    builder.get_by_role("button", name="添加条件", exact=True).click()
    builder.get_by_label("条件字段").select_option(label="退回次数")
    builder.get_by_label("比较方式").select_option(label="大于等于")
    builder.get_by_label("条件的值").fill("2")
    two_width_shots(page, "supervision-theme-edit")
    page.get_by_role("button", name="保存并运行").click()

    expect(page.get_by_text("已保存专题“本月受理、退回两次以上的办件”")).to_be_visible()
    expect(page.locator("#theme-total")).to_have_text("共发现 1 件")
    expect(page.locator("#theme-condition")).to_contain_text("退回次数大于等于2")
    expect(page.locator("#theme-cases").get_by_role("link", name=twice.number)).to_be_visible()
    expect(page.locator("#theme-by-department")).to_contain_text("江滨区市场监督管理局")
    assert page.locator("#theme-trend svg").count() == 1
    two_width_shots(page, "supervision-theme-run")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book["发现办件"].iter_rows(values_only=True))
    assert [r[0] for r in rows[2:]] == [twice.number]

    row = page.locator("#theme-cases tr", has_text=twice.number)
    row.get_by_role("button", name="督办").click()
    expect(page.get_by_text(f"已就办件{twice.number}发出督办单")).to_be_visible()
