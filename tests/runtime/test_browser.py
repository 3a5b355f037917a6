"""Issue 5's "Done when" walk in a real browser (Debian's Chromium through Playwright).

The demo item 食品经营许可（新办） end to end: an online application whose answers make a
conditional material required (refused without it, everything typed kept), a draft that
survives a closed browser, a correction notice and the applicant's resubmission, acceptance
after pre-review, handling, a return from review to handling, a special procedure that stops
the clock, approval at leader level, completion with a certificate, delivery; the applicant
sees every step and downloads every PDF. Then a window intake for a new applicant and a deemed
acceptance with time moved forward. Screenshots go to test-artifacts/.
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

FOOD = "JB-SCJG-XK-0001"
SHOP = "JB-SCJG-XK-0002"


def fill_food_form(page) -> None:
    page.locator("#f-operator_name").fill("江滨区示范餐饮有限公司")
    page.locator("#f-credit_code").fill("91330106MA2H3K7L08")
    page.locator("#f-legal_person").fill("王五")
    page.locator("#f-legal_person_id").fill("330106198503121231")
    page.locator("#f-phone").fill("13700137000")
    page.locator("#f-premises").fill("江滨区美食街5号")
    page.get_by_label("热食类食品制售").check()
    page.get_by_label("自动售货设备销售").check()  # makes the vending machine list and its material apply
    assert page.locator("[data-field=machines]").is_visible()
    page.locator("input[name='machines.0.location']").fill("江滨区地铁站A口")
    page.locator("input[name='machines.0.serial']").fill("VM-001")
    page.locator("#f-area").fill("120")
    page.locator("input[name='safety_staff.0.name']").fill("李安全")
    page.locator("input[name='safety_staff.0.id_number']").fill("330106198503121231")
    page.locator("[data-field=by_agent]").get_by_label("否").check()


def test_food_licence_online_end_to_end(district, page, browser, live_server):
    from runtime.models import Case, Certificate

    # --- the applicant finds the item, reads the guide, starts filling in ----------------------
    sign_in(page, "company")
    page.get_by_label("服务主题").select_option(label="餐饮服务")  # browse the catalogue by theme
    with page.expect_navigation():
        page.get_by_role("button", name="查找").click()
    assert page.get_by_label("服务主题").input_value() == "catering"
    assert page.get_by_role("link", name="建设工程规划许可").count() == 0
    page.get_by_role("link", name="食品经营许可（新办）").click()
    page.locator(".flowchart li.flow-node").first.wait_for()
    assert page.get_by_text("《中华人民共和国食品安全法》第三十五条").is_visible()
    shot(page, "01-guide")
    with page.expect_navigation():  # waits for "load": the autosave script runs at the end of the page
        page.get_by_role("link", name="在线申请").click()
    page.locator("#f-operator_name").fill("江滨区示范餐饮有限公司")
    status = page.locator("#draft-status")
    page.wait_for_function("() => !document.querySelector('#draft-status').textContent.includes('正在保存')")
    assert "草稿已自动保存" in status.inner_text(), status.inner_text()

    # the browser is closed; a new one finds the draft
    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    again = sign_in(other.new_page(), "company")
    again.goto(f"/hall/items/{FOOD}/apply/")
    assert again.locator("#f-operator_name").input_value() == "江滨区示范餐饮有限公司"
    other.close()

    # --- without the conditional material: refused, everything typed is kept --------------------
    page.goto(f"/hall/items/{FOOD}/apply/")
    fill_food_form(page)
    for key in ("application", "business_licence", "layout", "rules"):
        upload(page, key)
    submit_form(page, "提交申请")
    alert = page.locator("[data-material=vending] .field-error")
    assert "自动售货设备的放置地点" in alert.inner_text()
    assert page.locator("input[name='machines.0.serial']").input_value() == "VM-001"  # table rows come back
    assert page.locator("#f-premises").input_value() == "江滨区美食街5号"
    shot(page, "02-refused-kept")
    assert not Case.objects.exists()
    for key in ("application", "business_licence", "layout", "rules", "vending"):
        upload(page, key)
    submit_form(page, "提交申请")
    case = Case.objects.get()
    number = case.number
    assert set(case.materials.values_list("key", flat=True)) >= {"vending"}
    assert page.get_by_role("link", name="接件凭证").count() == 1
    shot(page, "03-submitted")

    # --- correction notice, resubmission, acceptance --------------------------------------------
    sign_in(page, "clerk")
    act(page, number, "一次性告知补正", "材料需补正", **{"需补正的内容（每行一项）": "营业执照复印件不清晰\n布局图缺少比例尺"})
    assert state(number) == "correcting"
    sign_in(page, "company")
    page.goto(f"/cases/{number}/")
    page.get_by_role("link", name="补正材料").click()
    page.get_by_text("营业执照复印件不清晰").wait_for()
    upload(page, "business_licence", "营业执照.pdf")
    upload(page, "layout", "布局图.pdf")
    submit_form(page, "提交补正")
    assert state(number) == "received"
    sign_in(page, "clerk")
    act(page, number, "予以受理", "材料齐全，予以受理")
    assert state(number) == "in_progress"

    # --- handling, a return from review, a special procedure ------------------------------------
    sign_in(page, "handler")
    page.goto("/workbench/")
    assert page.get_by_role("link", name=number).count()
    act(page, number, "通过", "材料审查合格")        # 材料审查 → 现场核查 (not only pre-packed food)
    act(page, number, "通过", "现场核查合格")
    sign_in(page, "chief")
    act(page, number, "退回", "请补充核查设备摆放", 退回到="材料审查")
    sign_in(page, "handler")
    act(page, number, "通过", "已补充说明")
    act(page, number, "启动特殊程序", "设备需送检", 程序种类="检验", 预计所需时间="3")
    assert state(number) == "suspended"
    page.goto(f"/cases/{number}/")
    assert page.get_by_text("计时暂停").is_visible()
    shot(page, "04-special-procedure")
    end_special_procedure(page, number, "检验合格")
    assert state(number) == "in_progress"
    act(page, number, "通过", "现场核查合格")

    # --- review, leader approval, completion with certificate, delivery --------------------------
    sign_in(page, "chief")
    act(page, number, "审核通过", "同意")
    sign_in(page, "leader")
    act(page, number, "批准", "准予许可")
    sign_in(page, "clerk")
    act(page, number, "办结", "制证")
    assert Certificate.objects.filter(case__number=number).exists()
    act(page, number, "已送达", "窗口领取")
    assert state(number) == "delivered"

    # --- the applicant sees every step and downloads every PDF ----------------------------------
    sign_in(page, "company")
    page.goto(f"/cases/{number}/")
    assert_progress_shows(page, ("受理", "材料审查", "现场核查", "审核", "批准", "制证", "送达"))
    assert "陈承办" not in page.content()  # desks, never staff names
    download_every_document(page, number, ("接件凭证", "一次性告知补正通知书", "受理通知书", "特别程序告知书",
                                           "特别程序结束告知书", "行政审批决定书", "送达回证"))
    shot(page, "05-applicant-delivered")
    page.goto("/hall/")
    assert page.get_by_text("食品经营许可证").first.is_visible()


def _id_number(body: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def test_window_intake_then_deemed_acceptance(district, page, time_machine):
    from django.utils import timezone

    from runtime import services
    from runtime.models import Case

    time_machine.move_to(timezone.now().replace(hour=10), tick=True)
    sign_in(page, "clerk")
    with page.expect_navigation():
        page.get_by_role("link", name="窗口收件").click()
    with page.expect_navigation():
        page.locator(f"a[href*='/workbench/intake/{SHOP}/']").click()
    page.get_by_label("名称或姓名").fill("钱七")
    page.get_by_label("证件号码（身份证号码或统一社会信用代码）").fill(_id_number("33010619900101123"))
    page.get_by_label("联系电话", exact=True).first.fill("13900139000")
    page.locator("#f-operator_name").fill("钱七")
    page.locator("#f-operator_id").fill(_id_number("33010619900101123"))
    page.locator("#f-phone").fill("13900139000")
    page.locator("[data-field=composition]").get_by_label("个人经营").check()
    page.locator("#f-scope").fill("<b>小吃</b>服务")
    page.locator("#f-premises").fill("江滨区小吃街1号")
    page.locator("[data-field=needs_permit]").get_by_label("否").check()
    page.locator("[data-field=by_agent]").get_by_label("否").check()
    for key in ("application", "identity", "premises_proof"):
        page.locator(f"input[name='paper:{key}']").check()
    shot(page, "06-window-intake")
    submit_form(page, "收件并出具接件凭证")
    case = Case.objects.get()
    assert case.channel == "window" and case.applicant.name == "钱七"
    receipt = page.get_by_role("link", name="接件凭证")
    response = page.request.get(receipt.get_attribute("href"))
    assert response.body().startswith(b"%PDF")
    assert page.get_by_text("<b>小吃</b>服务").is_visible()  # shown escaped, as typed

    # nobody decides within 5 working days: accepted as of the receipt date, and the log says why
    time_machine.move_to(timezone.now() + dt.timedelta(days=10), tick=True)
    assert services.cases_deem_accepted() == [case.number]
    page.goto(f"/cases/{case.number}/")
    assert "（逾期视为受理）" in page.locator("main").inner_text()
    assert "依《行政许可法》第三十二条" in page.locator("ol.log").inner_text()
    shot(page, "07-deemed-accepted")
