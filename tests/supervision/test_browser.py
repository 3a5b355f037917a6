"""In a real browser: the supervisor sees a red card appear for the overdue demo case, drills
down, issues an order, and the department's handler replies; the same pages on a phone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import fits_the_screen, two_width_shots, width_of

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
    # pressed, the button says the sweep is running (the form is held back here to look at it)
    page.evaluate("document.addEventListener('submit', (event) => event.preventDefault())")
    page.get_by_role("button", name="立即巡查").click()
    expect(page.locator("form.sweep-form button")).to_have_text("巡查中…")
    expect(page.locator("form.sweep-form button")).to_be_disabled()
    page.reload()
    with page.expect_navigation():
        page.get_by_role("button", name="立即巡查").click()
    expect(page.get_by_text("巡查完成")).to_be_visible()
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


def test_complaint_from_filing_to_rating(district, login, page):
    from runtime.models import Case

    number = Case.objects.get().number
    login("zhangsan")
    page.goto("/supervision/complaints/new/")
    page.get_by_label("所涉办件编号（可不填）").fill(number)
    page.get_by_label("投诉内容").fill("办件已超期，一直没有人联系我")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_url("**/supervision/complaints/mine/")
    assert page.get_by_text("投诉已提交").is_visible()
    page.get_by_role("button", name="退出").click()

    login("supervisor")
    page.goto("/supervision/complaints/")
    row = page.locator("#complaints tr", has_text="办件已超期")
    row.get_by_label("分派给").select_option(label="江滨区市场监督管理局")
    row.get_by_role("button", name="分派").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#complaints").get_by_text("办理中").is_visible()
    page.get_by_role("button", name="退出").click()

    login("chief")
    page.goto("/supervision/inbox/")
    item = page.locator(".complaint", has_text="办件已超期")
    item.get_by_label("答复").fill("已督促承办人今日办结，并向您致歉")
    item.get_by_role("button", name="答复", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已答复").first.is_visible()
    page.get_by_role("button", name="退出").click()

    login("zhangsan")
    page.goto("/supervision/complaints/mine/")
    assert page.get_by_text("已督促承办人今日办结").is_visible()
    page.get_by_label("评价").select_option(label="满意")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("我的评价：满意")).to_be_visible()  # the rating in words, not 4/5


def test_a_summary_notice_in_the_inbox_leads_to_the_dashboard(district, login, page, settings):
    from supervision.services import sweep

    settings.SUPERVISION_DIGEST_OVER = 0  # the demo district's few alerts, told as a summary
    sweep()
    login("supervisor")
    page.goto("/supervision/inbox/")
    row = page.locator("#notifications tr.summary")
    expect(row).to_contain_text("告警汇总：本次巡查有")
    expect(row).to_contain_text("条告警新产生或升级")
    two_width_shots(page, "supervision-inbox-summary")
    with page.expect_navigation():
        row.get_by_role("link", name="到监察大屏查看").click()
    expect(page.locator("#alerts")).to_contain_text("红牌")


def test_on_a_phone_the_supervisor_reads_cards_and_no_page_is_wider_than_the_screen(district, phone):
    from runtime.models import Case

    number = Case.objects.get().number
    phone.goto("/accounts/login/")
    phone.get_by_label("用户名").fill("supervisor")
    phone.get_by_label("密码").fill("Demo#2026")
    with phone.expect_navigation():
        phone.get_by_role("button", name="登录").click()
    phone.goto("/supervision/")
    with phone.expect_navigation():
        phone.get_by_role("button", name="立即巡查").click()
    card = phone.locator("#alerts tbody tr", has_text=number).first
    card.wait_for()
    assert not phone.locator("#alerts thead").is_visible()  # each alert a card, its cells labelled
    assert width_of(card) > 300 and card.locator("td[data-label=责任单位]").is_visible()
    fits_the_screen(phone)

    with phone.expect_navigation():
        card.get_by_role("link", name=number).click()
    phone.locator("#case-alerts").wait_for()
    fits_the_screen(phone)  # the case's wide lists scroll in their own box
    phone.goto("/supervision/complaints/")
    phone.locator("#complaints").wait_for()
    fits_the_screen(phone)
