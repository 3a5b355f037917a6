"""Documents are real Chinese PDFs whose text says what the case says."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from runtime import services
from runtime.documents import document_templates, render_pdf
from runtime.selectors import document_pdf

from .conftest import act, submit

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace(" ", "")


def test_every_template_is_registered():
    assert set(document_templates.keys()) == {
        "receipt", "correction_notice", "acceptance_notice", "refusal_notice", "special_procedure_notice",
        "special_procedure_end_notice",
        "extension_notice", "decision", "delivery_receipt"}


def test_receipt_voucher_names_the_case_and_materials(demo, item, frozen):
    case = submit(demo, item)
    document = case.documents.get(template="receipt")
    pdf = document_pdf(document)
    assert pdf.startswith(b"%PDF") and pdf == document_pdf(document)  # deterministic
    text = text_of(pdf)
    for expected in ["接件凭证", case.number, "张三", "食品经营许可（新办）", "2026年3月9日", "食品经营许可申请书",
                     case.verification_code, "江滨区市场监督管理局"]:
        assert expected in text, expected


def test_correction_acceptance_refusal_and_decision_texts(demo, item, frozen):
    case = submit(demo, item)
    case = services.case_request_correction(actor=demo.clerk, case=case, items=["申请书未签字", "缺少平面图"])
    text = text_of(document_pdf(case.documents.get(template="correction_notice")))
    assert "一次性告知补正通知书" in text and "1.申请书未签字" in text and "2.缺少平面图" in text
    case = services.case_resubmit(actor=demo.zhangsan, case=case, form_data=case.form_data)
    case = services.case_accept(actor=demo.clerk, case=case)
    text = text_of(document_pdf(case.documents.get(template="acceptance_notice")))
    assert "受理通知书" in text and "2026年3月30日" in text
    for actor in (demo.handler, demo.chief, demo.leader):
        case = act(actor, case)
    case = act(demo.clerk, case, "complete", "")
    text = text_of(document_pdf(case.documents.get(template="decision")))
    assert "准予许可" in text and "JY-2026-000001" in text and "2031年3月1日" in text

    other = submit(demo, item)
    other = services.case_refuse(actor=demo.clerk, case=other, reason="申请事项依法不需要取得行政许可")
    text = text_of(document_pdf(other.documents.get(template="refusal_notice")))
    assert "不予受理通知书" in text and "申请事项依法不需要取得行政许可" in text and "行政复议" in text


def test_html_in_applicant_text_is_printed_as_text(demo, item, frozen):
    case = submit(demo, item)
    case = services.case_refuse(actor=demo.clerk, case=case, reason="<script>alert(1)</script>")
    text = text_of(document_pdf(case.documents.get(template="refusal_notice")))
    assert "<script>alert(1)</script>" in text


def test_long_lists_continue_on_the_next_page():
    context = {"case_number": "X", "items": [f"第{i}项需要补正的内容，说明文字较长较长较长较长较长" for i in range(80)]}
    reader = PdfReader(io.BytesIO(render_pdf("correction_notice", number="X-BZ01", issuer="测试", context=context)))
    assert len(reader.pages) >= 2
