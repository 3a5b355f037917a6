"""Issue 15's walk in a real browser: the holder of a 公共场所卫生许可证 renews it (choosing the
licence on the apply page, refused once for a missing choice with everything kept), downloads the
electronic licence, follows the link its QR code encodes to the public verification page (有效),
then cancels the licence; the same link then says 已注销. The officers' steps run through the
services (their pages are walked in test_browser*.py). Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from .test_certificate_lifecycle import CANCEL, CODE, RENEW, approve_short, cancel_form, hygiene_form
from .test_certificate_verification import link_in
from .walk import shot, sign_in, submit_form, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_holder_renews_then_cancels_and_the_qr_link_tells_the_truth(district, page, time_machine):
    from django.utils import timezone

    from accounts.services import staff_user_create
    from designer.models import ApprovalItem
    from runtime import services
    from runtime.models import Case, Certificate
    from tests.conftest import Personas

    from .test_certificate_lifecycle import issued

    demo = Personas()
    hygiene = ApprovalItem.objects.get(code=CODE)
    leader = staff_user_create(actor=None, username="wjleader", password="Demo#2026", full_name="卫健局分管领导",
                               department=demo.department("JB-WJ"), roles=[("leader", demo.department("JB-WJ"))])
    zone = timezone.get_current_timezone()
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, tzinfo=zone), tick=True)
    licence = issued(demo, hygiene, leader)
    # 60 days before expiry: inside the 延续 window (90 to 30 days before)
    time_machine.move_to(dt.datetime.combine(licence.valid_until - dt.timedelta(days=60), dt.time(10), tzinfo=zone),
                         tick=True)

    # --- 延续: what was typed before is a draft; the licence is chosen on the page ------------------
    services.draft_save(actor=demo.company, item=hygiene, unit_code=RENEW, form_data=hygiene_form())
    sign_in(page, "company")
    page.goto(f"/hall/items/{CODE}/apply/?unit={RENEW}")
    chooser = page.locator("#f-certificate")
    expect(chooser.locator("option")).to_have_count(2)
    expect(page.locator("fieldset.acts-on")).to_contain_text("可申请期间")
    for key in ("application", "identity", "old_licence", "report"):
        upload(page, key)
    submit_form(page, "提交申请")  # no licence chosen
    expect(page.locator("fieldset.acts-on .field-error")).to_have_text("请选择本次延续所涉的证照")
    assert page.locator("#f-address").input_value() == "江滨区美食街5号"
    assert not Case.objects.filter(unit_code=RENEW).exists()
    chooser.select_option(licence.number)
    for key in ("application", "identity", "old_licence", "report"):
        upload(page, key)
    shot(page, "certificates-01-renew-chosen")
    submit_form(page, "提交申请")
    renewal = Case.objects.get(unit_code=RENEW)
    assert renewal.acts_on_id == licence.pk
    approve_short(demo, renewal)
    licence.refresh_from_db()
    assert licence.valid_until == dt.date(2034, 3, 1) and licence.status == "valid"

    # --- the electronic licence and its QR code's link -------------------------------------------
    page.goto("/hall/")
    row = page.locator(f"tr[data-certificate='{licence.number}']")
    expect(row).to_contain_text("2034-03-01")
    pdf = page.request.get(row.get_by_role("link", name="下载 PDF").get_attribute("href")).body()
    assert pdf.startswith(b"%PDF")
    link = link_in(pdf)
    page.context.clear_cookies()  # anyone may verify: no login
    page.goto(link)
    expect(page.locator(".verdict")).to_have_text("核验结果：有效")
    expect(page.locator("table.facts")).to_contain_text("2034年3月1日")
    shot(page, "certificates-02-verified-valid")

    # --- 注销 -------------------------------------------------------------------------------------
    sign_in(page, "company")
    services.draft_save(actor=demo.company, item=hygiene, unit_code=CANCEL, form_data=cancel_form())
    page.goto(f"/hall/items/{CODE}/apply/?unit={CANCEL}")
    page.locator("#f-certificate").select_option(licence.number)
    for key in ("application", "identity", "old_licence"):
        upload(page, key)
    submit_form(page, "提交申请")
    cancellation = Case.objects.get(unit_code=CANCEL)
    approve_short(demo, cancellation)
    assert Certificate.objects.get(pk=licence.pk).status == "revoked"

    page.context.clear_cookies()
    page.goto(link)  # the same QR code
    expect(page.locator(".verdict")).to_have_text("核验结果：已注销")
    expect(page.locator(".certificate-verify")).to_contain_text("注销原因")
    shot(page, "certificates-03-verified-cancelled")
