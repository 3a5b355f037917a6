"""Pre-review (网上预审) in a real browser: the clerk opens a material beside the checklist, marks
one 需补正 with a reason, and the one-time correction notice comes pre-filled with it. Every step
waits for the navigation or the element it looks at. Screenshots at 1366 and 390 px go to
test-artifacts/ (runtime-prereview-*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .walk import PDF, act, shots, sign_in, state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOD = "JB-SCJG-XK-0001"
FORM = {"operator_name": "江滨区示范餐饮有限公司", "credit_code": "91330106MA2H3K7L08", "legal_person": "王五",
        "phone": "13700137000", "premises": "江滨区美食街5号", "business_types": ["热食类食品制售"],
        "safety_staff": [{"name": "李安全", "id_number": "330106198503121231"}], "by_agent": "否"}
REASON = "营业执照复印件模糊，请重新扫描"


@pytest.fixture
def submitted(district):
    from accounts.models import User
    from designer.models import ApprovalItem
    from runtime import services

    materials = [services.MaterialInput(key, f"{key}.pdf", PDF)
                 for key in ("application", "business_licence", "layout", "rules")]
    return services.case_submit(actor=User.objects.get(username="company"), item=ApprovalItem.objects.get(code=FOOD),
                                form_data=FORM, materials=materials)


def test_clerk_opens_a_material_marks_it_and_the_correction_notice_is_prefilled(submitted, page):
    number = submitted.number
    licence = submitted.materials.get(key="business_licence")
    sign_in(page, "clerk")
    page.goto(f"/cases/{number}/")
    row = page.locator(f"#material-{licence.pk}")
    expect(row).to_contain_text("营业执照或其他主体资格证明文件")
    expect(page.locator("table.repeat")).to_contain_text("李安全")  # the form's table, as a table

    # open the material in the viewer pane beside the checklist: served inline, as a PDF
    with page.expect_response(f"**/cases/{number}/materials/{licence.pk}/") as served:
        row.get_by_role("link", name="查看").click()
    response = served.value
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    page.wait_for_function(
        "(url) => { const f = document.querySelector('iframe[name=material-viewer]');"
        " return f && f.contentWindow && f.contentWindow.location.href.includes(url); }",
        arg=f"/materials/{licence.pk}/")

    # mark it 需补正 with a reason; the page comes back with the check recorded
    check = row.locator("form.check-form").first
    check.get_by_label("需补正", exact=True).check()
    check.get_by_label("需补正的理由").fill(REASON)
    with page.expect_navigation():
        check.get_by_role("button", name="记录材料审查").click()
    expect(page.locator(".msg-success")).to_contain_text("材料审查需补正")
    row = page.locator(f"#material-{licence.pk}")
    expect(row.locator(".check-file .verdict")).to_have_text("需补正")
    expect(page.locator("iframe[name=material-viewer]")).to_have_attribute(
        "src", f"/cases/{number}/materials/{licence.pk}/")  # still open beside the checklist

    # the one-time correction notice is pre-filled from the checks
    items = page.locator("form.act-form").get_by_label("需补正的内容（每行一项）")
    expect(items).to_have_value(f"营业执照或其他主体资格证明文件：{REASON}")
    shots(page, "prereview-checked")
    act(page, number, "一次性告知补正", "材料需补正")
    assert state(number) == "correcting"
    from runtime.models import Case

    notice = Case.objects.get(number=number).documents.get(template="correction_notice")
    assert notice.context["items"] == [f"营业执照或其他主体资格证明文件：{REASON}"]


def test_refusing_at_intake_reads_不予受理_and_asks_first(submitted, page):
    number = submitted.number
    sign_in(page, "clerk")
    page.goto(f"/cases/{number}/")
    form = page.locator("form.act-form").first
    expect(form.get_by_role("button", name="不予受理", exact=True)).to_be_visible()
    assert form.get_by_role("button", name="不予许可").count() == 0
    form.get_by_label("审批意见").fill("不属于本机关职权范围")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    form.get_by_role("button", name="不予受理", exact=True).click()
    page.wait_for_function("() => true")  # the dialog was handled synchronously by the click
    assert asked == ["确定“不予受理”吗？此操作不可撤销。"]
    assert state(number) == "received"  # declined: nothing was sent
    act(page, number, "不予受理", "不属于本机关职权范围")  # confirmed this time
    assert state(number) == "refused"
