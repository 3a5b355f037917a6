"""The applicant's side on a phone (390 px wide, a common handset): the hall, an item's guide, the
application (refused once: the uploaded file and what was typed stay), the case with its receipt,
the progress query, my cases and a certificate; the public results. Every page fits the screen
(no sideways scroll) and the lists are cards whose cells have room. Screenshots: test-artifacts/runtime-phone-*.png."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import ARTIFACTS, fits_the_screen, width_of

from . import factories
from .conftest import approve_to_the_end, submit
from .walk import sign_in, submit_form, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOP = "JB-SCJG-XK-0002"


def phone_shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"runtime-phone-{name}.png"), full_page=True)


def test_the_applicant_side_reads_well_on_a_phone(district, phone):
    from runtime.models import Case, Certificate

    page = sign_in(phone, "zhangsan")
    page.goto("/hall/")
    fits_the_screen(page)
    name_cell = page.locator("table.catalogue tbody tr").first.locator("td.item-name")
    assert width_of(name_cell) > 300  # a card's full width, not a column squeezed to one character
    assert width_of(page.locator("table.catalogue td[data-label=实施部门]").first) > 300
    phone_shot(page, "01-hall")

    page.goto(f"/hall/items/{SHOP}/")
    page.locator(".flowchart li.flow-node").first.wait_for()
    fits_the_screen(page)
    assert width_of(page.locator("table.materials td.title").first) > 300
    assert width_of(page.locator("table.guide td").first) > 300
    phone_shot(page, "02-guide")

    # --- the application: prefilled from the account; refused once, nothing lost ----------------
    with page.expect_navigation():
        page.get_by_role("link", name="在线申请").first.click()
    assert page.locator("#f-operator_name").input_value() == "张三"
    assert page.locator("#f-operator_id").input_value() == "330106198503121231"
    page.locator("#f-phone").fill("0571-86001201")  # a landline is a phone number too
    page.locator("#f-residence").fill("江滨区文一路12号")
    page.locator("[data-field=composition]").get_by_label("个人经营").check()
    page.locator("[data-field=needs_permit]").get_by_label("否").check()
    page.locator("[data-field=by_agent]").get_by_label("否").check()
    upload(page, "application", "张三的申请书.pdf")
    page.locator("input[name='paper:identity']").check()
    fits_the_screen(page)
    submit_form(page, "提交申请")  # 经营范围、经营场所 missing, 经营场所使用相关文件 not given
    page.locator("[role=alert]").first.wait_for()
    assert page.get_by_text("已上传：张三的申请书.pdf").is_visible()
    assert page.locator("input[name='paper:identity']").is_checked()
    assert "请提交“经营场所使用相关文件（或住所承诺）”" in page.locator("[role=alert]").first.inner_text()
    assert "请提交" in page.locator("[data-material=premises_proof] .field-error").inner_text()
    assert page.locator("#f-phone").input_value() == "0571-86001201"
    assert not Case.objects.exists()
    fits_the_screen(page)
    phone_shot(page, "03-apply-refused-kept")

    page.locator("#f-scope").fill("烟酒零售")
    page.locator("#f-premises").fill("江滨区文一路12号底商")
    upload(page, "premises_proof", "租赁合同.pdf")
    submit_form(page, "提交申请")
    case = Case.objects.get()
    assert case.materials.get(key="application").original_name == "张三的申请书.pdf"
    assert case.materials.get(key="identity").paper_original
    page.get_by_role("link", name="接件凭证").wait_for()
    fits_the_screen(page)
    assert width_of(page.locator("table.progress td.title").first) > 300
    phone_shot(page, "04-case-receipt")

    # --- the public progress query ------------------------------------------------------------
    page.goto(f"/progress/?number={case.number}&code={case.verification_code}")
    page.locator("table.progress").wait_for()
    fits_the_screen(page)
    phone_shot(page, "05-progress")

    # --- my cases and my certificates -----------------------------------------------------------
    Certificate.objects.create(number="YYZZ-2026-000001", name="营业执照", holder=case.applicant, item=case.item,
                               case=case, department=case.department, issued_on=case.received_on)
    page.goto("/hall/")
    row = page.locator("table.my-cases tbody tr").first
    assert width_of(row) > 340 and case.number in row.inner_text()
    fits_the_screen(page)
    page.locator("table.my-certificates").scroll_into_view_if_needed()
    phone_shot(page, "06-my-cases")
    with page.expect_navigation():
        page.get_by_role("link", name="营业执照").click()
    page.get_by_text("YYZZ-2026-000001").first.wait_for()
    fits_the_screen(page)
    phone_shot(page, "07-certificate")

    # --- withdrawal, confirmed, with its reason ------------------------------------------------
    page.goto(f"/cases/{case.number}/")
    page.get_by_text("撤回申请").first.click()  # opens the <details>
    page.locator("#withdraw-reason").fill("经营场所另有安排")
    page.once("dialog", lambda dialog: dialog.accept())
    submit_form(page, "撤回申请")
    page.locator("section.withdrawn").wait_for()
    assert "经营场所另有安排" in page.locator("section.withdrawn").inner_text()
    assert Case.objects.get().state == "withdrawn"
    fits_the_screen(page)
    phone_shot(page, "08-withdrawn")


def test_the_public_results_are_cards_that_fit_a_phone(district, phone):
    from tests.conftest import Personas

    demo = Personas()
    item = factories.publish(factories.definition())
    case = approve_to_the_end(demo, submit(demo, item, actor=demo.company,
                                           data=factories.good_data(company="示范餐饮")))

    phone.goto("/hall/results/")
    card = phone.locator("table.results tbody tr").first
    card.wait_for()
    assert case.certificate.number in card.inner_text()
    assert not phone.locator("table.results thead").is_visible()  # a card per result, no squeezed columns
    labels = card.locator("td[data-label]").evaluate_all("cells => cells.map(td => td.dataset.label)")
    assert labels == ["实施部门", "审批结果", "决定日期", "证照编号", "申请人", "证件号码"]  # each cell says what it is
    fits_the_screen(phone)
    assert width_of(phone.locator("table.results td[data-label=证照编号]").first) > 300
    phone_shot(phone, "09-results")
