"""Issue 5's "Done when" walk, second demo item: 个体工商户设立登记 in a real browser.

张三 applies online for an individual business whose scope needs a pre-approval, so the
pre-approval material becomes required (refused without it, everything typed kept) and the case
cannot be registered on the spot: 受理 after a correction notice and resubmission, 审查 by the
registrar, 审核 by the section chief who returns it to 审查, a 鉴定 that stops the clock (the
applicant sees the days stand still while time passes), 批准 by the bureau's leader, 发照办结 with
a 营业执照, 邮寄送达. The applicant sees every step, downloads every PDF (each names the case) and
finds the licence among the certificates. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from .walk import (
    act,
    assert_progress_shows,
    download_every_document,
    end_special_procedure,
    shot,
    sign_in,
    state,
    submit_form,
    upload,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOP = "JB-SCJG-XK-0002"


def fill_shop_form(page) -> None:
    page.locator("#f-operator_name").fill("张三")
    page.locator("#f-operator_id").fill("330106198503121231")
    page.locator("#f-phone").fill("13800138000")
    page.locator("#f-residence").fill("江滨区文一路12号")
    page.locator("#f-trade_name").fill("江滨区张三烟酒商行")
    page.locator("[data-field=composition]").get_by_label("个人经营").check()
    assert not page.locator("[data-field=family]").is_visible()  # only a family business lists its members
    page.locator("#f-scope").fill("卷烟、雪茄烟零售；预包装食品销售")
    page.locator("#f-premises").fill("江滨区文一路14号")
    page.locator("[data-field=needs_permit]").get_by_label("是").check()  # makes the pre-approval material apply
    page.locator("#f-capital").fill("50000")
    page.locator("[data-field=by_agent]").get_by_label("否").check()


def clock_row(page) -> str:
    return page.locator("td.clock").inner_text()


def test_individual_business_online_end_to_end(district, page, time_machine):
    from django.utils import timezone

    from runtime import clock
    from runtime.models import Case, Certificate
    from workdays import add_working_days, working_days_between

    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    time_machine.move_to(dt.datetime.combine(monday, dt.time(10), tzinfo=timezone.get_current_timezone()), tick=True)

    # --- the applicant applies; without the pre-approval document the application is refused ------
    sign_in(page, "zhangsan")
    page.get_by_role("link", name="个体工商户设立登记").click()
    page.locator(".flowchart li.flow-node").first.wait_for()
    assert page.get_by_text("《中华人民共和国市场主体登记管理条例》", exact=False).first.is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="在线申请").click()
    fill_shop_form(page)
    for key in ("application", "identity", "premises_proof"):
        upload(page, key)
    submit_form(page, "提交申请")
    assert "请提交“前置许可文件或许可证件”" in page.locator("[data-material=permit] .field-error").inner_text()
    assert page.locator("#f-scope").input_value() == "卷烟、雪茄烟零售；预包装食品销售"
    assert page.locator("[data-field=needs_permit]").get_by_label("是").is_checked()
    assert not Case.objects.exists()
    shot(page, "shop-01-refused-kept")
    for key in ("application", "identity", "premises_proof", "permit"):
        upload(page, key)
    submit_form(page, "提交申请")
    case = Case.objects.get()
    number = case.number
    assert case.applicant.name == "张三" and case.materials.filter(key="permit").exists()
    assert page.get_by_role("link", name="接件凭证").count() == 1

    # --- correction notice, resubmission, acceptance --------------------------------------------
    sign_in(page, "clerk")
    act(page, number, "一次性告知补正", "请补正后重新提交",
        **{"需补正的内容（每行一项）": "经营场所租赁合同缺少出租方签字"})
    assert state(number) == "correcting"
    sign_in(page, "zhangsan")
    page.goto(f"/cases/{number}/")
    assert page.get_by_role("heading", name="待补正").is_visible()
    page.get_by_role("link", name="补正材料").click()
    page.get_by_text("经营场所租赁合同缺少出租方签字").wait_for()
    upload(page, "premises_proof", "租赁合同.pdf")
    submit_form(page, "提交补正")
    assert state(number) == "received"
    sign_in(page, "clerk")
    act(page, number, "予以受理", "材料齐全，予以受理")
    assert state(number) == "in_progress"

    # --- 审查, a return from 审核, a 鉴定 that stops the clock --------------------------------------
    sign_in(page, "registrar")
    page.goto("/workbench/")
    assert page.get_by_role("link", name=number).count()
    act(page, number, "通过", "涉及前置许可，不能当场登记，报科室审核")
    assert state(number) == "in_progress"
    sign_in(page, "regchief")
    page.goto("/workbench/")
    assert page.get_by_role("link", name=number).count()
    act(page, number, "退回", "请核实烟草专卖零售许可证的真伪", 退回到="审查")
    sign_in(page, "registrar")
    act(page, number, "启动特殊程序", "许可证件真伪须送鉴定", 程序种类="鉴定", 预计所需时间="3")
    assert state(number) == "suspended"
    due_before = Case.objects.get(number=number).statutory_due_on

    sign_in(page, "zhangsan")
    page.goto(f"/cases/{number}/")
    paused_at = clock_row(page)
    assert "计时暂停" in paused_at, paused_at
    # the applicant is told how long it takes: 3 working days from the start date, which counts
    expected_end = clock.expected_end(monday, 3)
    assert page.get_by_text(f"特殊程序：鉴定，{monday:%Y-%m-%d} 起，预计 3 个工作日（至 {expected_end:%Y-%m-%d}）").is_visible()
    shot(page, "shop-02-clock-stopped")
    time_machine.move_to(timezone.now() + dt.timedelta(days=2), tick=True)
    page.reload()
    assert clock_row(page) == paused_at  # two days later the applicant's clock has not moved
    assert page.get_by_text(f"{due_before:%Y-%m-%d}").count()

    sign_in(page, "registrar")
    end_special_procedure(page, number, "经鉴定，烟草专卖零售许可证真实有效")
    case = Case.objects.get(number=number)
    stopped = working_days_between(monday, timezone.localdate()).value
    assert case.paused_days == stopped
    assert case.statutory_due_on == add_working_days(case.accepted_on, 3 + stopped).value > due_before
    act(page, number, "通过", "前置许可文件经鉴定真实有效，符合登记条件")

    # --- 审核, 批准 by the leader, 发照办结 with a 营业执照, 邮寄送达 ------------------------------------
    sign_in(page, "regchief")
    act(page, number, "审核通过", "同意登记")
    sign_in(page, "leader")
    act(page, number, "批准", "准予登记")
    sign_in(page, "clerk")
    act(page, number, "办结", "核发营业执照")
    certificate = Certificate.objects.get(case__number=number)
    assert certificate.name == "营业执照"
    act(page, number, "已送达", "已寄出", 送达方式="邮寄送达")
    assert state(number) == "delivered"

    # --- the applicant sees every step, downloads every PDF, finds the licence --------------------
    sign_in(page, "zhangsan")
    page.goto(f"/cases/{number}/")
    assert_progress_shows(page, ("受理", "审查", "审核", "批准", "发照办结", "送达"))
    assert page.locator("table.progress").inner_text().count("审查") >= 2  # returned once
    content = page.content()
    assert "郑登记" not in content and "冯科长" not in content  # desks, never staff names
    texts = download_every_document(page, number, ("接件凭证", "一次性告知补正通知书", "受理通知书", "特别程序告知书",
                                                   "特别程序结束告知书", "行政审批决定书", "送达回证"))
    assert certificate.number in texts["行政审批决定书"] and "营业执照" in texts["行政审批决定书"]
    assert "邮寄送达" in texts["送达回证"]
    assert "鉴定" in texts["特别程序告知书"]
    shot(page, "shop-03-applicant-delivered")
    page.goto("/hall/")
    licences = page.locator("section", has=page.get_by_role("heading", name="我的证照"))
    assert certificate.number in licences.inner_text() and "营业执照" in licences.inner_text()
    assert "长期" in licences.inner_text()
