"""In a real browser: the supervisor sees a red card appear for the overdue demo case, drills
down, issues an order, and the department's handler replies."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(transactional_db, time_machine):
    from core.demo import run_demo_loaders
    from supervision.demo import load_demo

    time_machine.move_to(dt.datetime(2026, 10, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
    run_demo_loaders(lambda _msg: None)
    load_demo(lambda _msg: None)


def test_supervisor_red_card_drill_down_order_and_reply(district, login, page):
    from runtime.models import Case

    number = Case.objects.get().number
    login("supervisor")
    page.goto("/supervision/")
    assert page.locator("#alerts").get_by_text(number).count() == 0  # not swept yet
    page.get_by_role("button", name="立即巡查").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("巡查完成").is_visible()
    row = page.locator("#alerts tr", has_text=number).first
    assert row.get_by_text("红牌").is_visible()
    assert page.locator("svg").count() >= 2  # charts, rendered by the server
    row.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/supervision/cases/{number}/")
    assert page.locator("#case-alerts").get_by_text("红牌").first.is_visible()
    page.get_by_label("督办要求").fill("请立即办理并说明超期原因")
    page.get_by_label("回复时限（工作日）").fill("2")
    page.get_by_role("button", name="发出督办单").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已发出督办单").is_visible()
    assert page.locator("#orders").get_by_text("督办中").is_visible()

    page.get_by_role("button", name="退出").click()
    login("handler")
    page.goto("/supervision/inbox/")
    order = page.locator(".order", has_text=number)
    assert order.get_by_text("请立即办理并说明超期原因").is_visible()
    order.get_by_label("回复").fill("已于今日办结，超期系现场核查排期所致")
    order.get_by_role("button", name="回复督办").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已回复").first.is_visible()
    assert page.get_by_text("暂无待回复的督办单").is_visible()

    page.get_by_role("button", name="退出").click()
    login("supervisor")
    page.goto(f"/supervision/cases/{number}/")
    assert page.locator("#orders").get_by_text("已于今日办结").is_visible()
