"""The applicant's side of the hall: kept uploads after a refusal, prefill from the account,
phones that are landlines, withdrawal with a reason, certificates that open, and the wording."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from runtime import services
from runtime.models import Case, CaseState, Draft, DraftMaterial

from . import factories
from .conftest import act, submit

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name="申请书.pdf", content=factories.PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_refused_application_keeps_the_uploaded_file_and_flags_the_missing_one(
        demo, item, frozen, django_capture_on_commit_callbacks):
    """Material A uploaded, material B missing, a form field invalid: the page keeps A's file (a
    draft upload), names B, keeps what was typed; fixing only the rest creates the case with A."""
    client = browser(demo.zhangsan)
    url = f"/hall/items/{item.code}/apply/"
    post = {"company": "自动售货公司", "business": "自动售货设备", "machines": "0", "amount": "800",
            "material:application": pdf("我的申请书.pdf")}
    with django_capture_on_commit_callbacks(execute=True):  # what runs after commit runs, as it would
        refused = client.post(url, post)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "已上传：我的申请书.pdf" in body and 'name="keep:application" value="1" checked' in body
    assert "请提交“自动售货设备放置地点及许可证展示方式”" in body
    assert body.count("请提交“自动售货设备放置地点及许可证展示方式”") == 2  # in the list at the top too
    assert 'value="自动售货公司"' in body and "不能小于 1" in body
    assert not Case.objects.exists()
    kept = DraftMaterial.objects.get(key="application")
    assert kept.draft.applicant == demo.zhangsan.applicant and kept.original_name == "我的申请书.pdf"
    assert kept.file.storage.exists(kept.file.name)
    # the next page view (even a fresh GET) still shows it
    assert "已上传：我的申请书.pdf" in client.get(url).content.decode()

    fixed = {"company": "自动售货公司", "business": "自动售货设备", "machines": "2", "amount": "800",
             "keep:application": "1", "material:vending": pdf("地点.pdf")}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, fixed)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not kept.file.storage.exists(kept.file.name)  # the draft's copy went with the draft
    case = Case.objects.get()
    application = case.materials.get(key="application")
    assert application.original_name == "我的申请书.pdf" and application.sha256
    assert not Draft.objects.exists() and not DraftMaterial.objects.exists()


def test_paper_ticks_stay_after_a_refusal_and_an_unticked_kept_file_is_dropped(demo, item, frozen):
    client = browser(demo.zhangsan)
    url = f"/hall/items/{item.code}/apply/"
    refused = client.post(url, {"company": "", "business": "热食类食品制售", "amount": "800",
                                "paper:application": "1"})
    assert refused.status_code == 400
    assert 'name="paper:application" value="1" checked' in refused.content.decode()
    client.post(url, {"company": "", "business": "热食类食品制售", "amount": "800", "material:application": pdf()})
    assert DraftMaterial.objects.get(key="application").file
    again = client.post(url, {"company": "", "business": "热食类食品制售", "amount": "800"})  # box unticked
    assert "已上传：" not in again.content.decode() and not DraftMaterial.objects.exists()


def test_a_refused_file_is_not_kept(demo, item, frozen):
    client = browser(demo.zhangsan)
    client.post(f"/hall/items/{item.code}/apply/", {
        "company": "", "business": "热食类食品制售", "amount": "800",
        "material:application": SimpleUploadedFile("病毒.pdf", factories.EXE)})
    assert not DraftMaterial.objects.exists()


def test_the_application_form_is_prefilled_from_the_account(demo):
    from designer.models import ApprovalItem
    from runtime.definitions import units_of

    natural = ApprovalItem.objects.get(code="JB-SCJG-XK-0002")  # 个体工商户: 经营者姓名、身份证号码
    page = browser(demo.zhangsan).get(f"/hall/items/{natural.code}/apply/").content.decode()
    assert 'value="张三"' in page and 'value="330106198503121231"' in page and 'value="13800138000"' in page
    legal = ApprovalItem.objects.get(code="JB-WJ-XK-0001")  # 公共场所卫生许可: 单位名称、信用代码
    url = f"/hall/items/{legal.code}/apply/?unit={units_of(legal.current_version)[0].code}"
    page = browser(demo.company).get(url).content.decode()
    assert 'value="江滨区示范餐饮有限公司"' in page and 'value="91330106MA2H3K7L08"' in page


def test_prefill_never_fills_an_agent_or_a_legal_representative():
    from types import SimpleNamespace

    from runtime.prefill import from_account

    form = {"schema": {"properties": {
        "agent_name": {"title": "代理人姓名", "x-field": "text"},
        "agent_id": {"title": "代理人身份证号码", "x-field": "id_number"},
        "legal_person_id": {"title": "法定代表人身份证号码", "x-field": "id_number"},
        "name": {"title": "申请人姓名", "x-field": "text"},
        "id": {"title": "身份证号码", "x-field": "id_number"}}}, "ui_schema": {}}
    person = SimpleNamespace(kind="natural", name="张三", id_number="330106198503121231", credit_code="", phone="")
    assert from_account(form, person) == {"name": "张三", "id": "330106198503121231"}


@pytest.mark.parametrize("phone", ["0571-86001201", "057186001201", "010-12345678", "13800138000",
                                   "0571-86001201-808"])
def test_a_phone_field_accepts_landlines_and_mobiles(phone):
    from accounts.identity import phone_problem

    assert phone_problem(phone) is None


@pytest.mark.parametrize("phone", ["12345", "1380013800", "138001380001", "86001201", "0571-8600", "１３８００１３８０００",
                                   "13800138000\n"])
def test_a_phone_field_refuses_what_is_no_phone_number(phone):
    from accounts.identity import phone_problem

    assert phone_problem(phone)


def test_the_form_validator_accepts_a_landline_where_a_phone_is_asked(demo):
    from designer.models import ApprovalItem
    from designer.selectors import form_validator_for_version
    from runtime.definitions import units_of

    item = ApprovalItem.objects.get(code="JB-WJ-XK-0001")
    unit = units_of(item.current_version)[0].code
    validator = form_validator_for_version(item.current_version, unit)
    assert "$.phone" not in validator.errors({"phone": "0571-86001201"}, {})
    assert validator.errors({"phone": "12345"}, {})["$.phone"]


def test_the_applicant_withdraws_from_the_case_page_with_a_reason(demo, item, frozen):
    case = submit(demo, item)
    client = browser(demo.zhangsan)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert f'action="/cases/{case.number}/withdraw/"' in page and "data-confirm=" in page
    refused = client.post(f"/cases/{case.number}/withdraw/", {"reason": "  "})
    assert refused.status_code == 400 and "请填写撤回申请的原因" in refused.content.decode()
    assert Case.objects.get().state == CaseState.RECEIVED
    assert browser(demo.lisi).post(f"/cases/{case.number}/withdraw/", {"reason": "x"}).status_code == 404
    client.post(f"/cases/{case.number}/withdraw/", {"reason": "经营场所另有安排"})
    assert Case.objects.get().state == CaseState.WITHDRAWN
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "已撤回" in page and "撤回原因：<span class=\"withdraw-reason\">经营场所另有安排</span>" in page
    assert "/withdraw/" not in page


def test_a_withdrawal_needs_a_reason_in_the_service_too(demo, item, frozen):
    from core.errors import InvalidInput

    case = submit(demo, item)
    with pytest.raises(InvalidInput) as refused:
        services.case_withdraw(actor=demo.zhangsan, case=case, reason="")
    assert refused.value.details == {"reason": ["请填写撤回申请的原因"]}


def test_the_correction_notice_lists_its_items_and_the_deadline_on_the_case_page(demo, item, frozen):
    from runtime.documents import render_pdf

    case = submit(demo, item)
    services.case_request_correction(actor=demo.clerk, case=case, items=["申请书缺少签字", "经营场所面积与平面图不一致"])
    notice = case.documents.get(template="correction_notice")
    assert notice.context["correct_by"] == "2026年3月23日"  # 15 working days after Monday 2 March
    page = browser(demo.zhangsan).get(f"/cases/{case.number}/").content.decode()
    assert "<li>申请书缺少签字</li>" in page and "<li>经营场所面积与平面图不一致</li>" in page
    assert "2026年3月23日" in page and f"/cases/{case.number}/resubmit/" in page
    text = _pdf_text(render_pdf("correction_notice", number=notice.number, issuer="x", context=notice.context))
    heading, first, deadline = text.index("全部内容如下"), text.index("申请书缺少签字"), text.index("请于2026年3月23日前补正")
    assert heading < text.index("需要补正的内容") < first < deadline


def _pdf_text(pdf: bytes) -> str:
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("没有 pdftotext（poppler-utils）")
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def test_my_certificates_open_a_certificate_page_only_its_holder_sees(demo, item, frozen):
    from runtime.models import Certificate

    case = submit(demo, item)
    for who, opinion in ((demo.clerk, "予以受理"), (demo.handler, "符合条件"), (demo.chief, "同意"),
                         (demo.leader, "准予许可")):
        act(who, case, opinion=opinion)
    act(demo.clerk, case, "complete", opinion="")
    certificate = Certificate.objects.get(case=case)
    client = browser(demo.zhangsan)
    hall = client.get("/hall/").content.decode()
    assert f'href="/hall/certificates/{certificate.number}/"' in hall
    page = client.get(f"/hall/certificates/{certificate.number}/").content.decode()
    for text in (certificate.number, certificate.name, "张三", "330106198503121231", "有效", case.number):
        assert text in page, text
    assert browser(demo.lisi).get(f"/hall/certificates/{certificate.number}/").status_code == 404


def test_a_promised_limit_of_zero_reads_on_the_spot(demo):
    doc = factories.definition("JB-SCJG-XK-0005", name="即办事项", promised=0, statutory=5)
    doc["handling_type"] = "instant"
    instant = factories.publish(doc)
    client = Client()
    hall = client.get("/hall/", {"q": "即办事项"}).content.decode()
    assert '<td data-label="承诺时限" class="promised-limit">即办</td>' in hall
    assert "0个工作日" not in hall
    guide = client.get(f"/hall/items/{instant.code}/").content.decode()
    assert '<td class="promised-limit">即办</td>' in guide
