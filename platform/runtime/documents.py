"""Documents in Chinese, from templates that are data, rendered to PDF with ReportLab.

A template is a :class:`DocumentTemplate`: a title, a code for the document number, rows of
labelled facts and paragraphs with ``{name}`` placeholders, all filled from the document's
stored ``context``. A new kind of document is one more entry in :data:`document_templates`.
The PDF is rendered on request from the stored context (deterministically: same bytes each time),
so issuing a document inside an action's transaction costs one row. Font and wrapping
come from :mod:`core.pdf`, shared with the blank application forms.
"""

from __future__ import annotations

import datetime as dt
import io
import string
from dataclasses import dataclass, field

from core.pdf import FONT, register_font, wrap
from core.registry import Registry


@dataclass(frozen=True)
class DocumentTemplate:
    key: str
    title: str
    code: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, context key)
    paragraphs: list[str] = field(default_factory=list)
    list_key: str = ""  # a context key holding a list of lines, printed numbered
    list_title: str = ""
    list_after: int = 0  # how many paragraphs come before the list (one that announces it)


document_templates: Registry[DocumentTemplate] = Registry("文书模板")

_CASE_ROWS = [("办件编号", "case_number"), ("查询验证码", "verification_code"), ("申请事项", "item_name"),
              ("申请人", "applicant_name"), ("实施部门", "department_name")]

TEMPLATES = [
    DocumentTemplate(
        "receipt", "接件凭证", "JJ", _CASE_ROWS + [("申请渠道", "channel"), ("收件时间", "received_at"),
                                              ("受理决定期限", "acceptance_due_on")],
        ["本机关已收到您的申请材料。我们将在{acceptance_due_on}前作出受理、不予受理或一次性告知补正的决定；"
         "逾期未告知补正的，自收到申请材料之日起即为受理。",
         "凭办件编号和查询验证码可在网上办事大厅查询办理进度。"],
        list_key="materials", list_title="已收材料"),
    DocumentTemplate(
        "correction_notice", "一次性告知补正通知书", "BZ", _CASE_ROWS + [("告知日期", "issued_on")],
        ["经审查，您的申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条，"
         "现一次性告知需要补正的全部内容如下：", "请于{correct_by}前补正后重新提交。", "{note}", "{clock_note}"],
        list_key="items", list_title="需要补正的内容", list_after=1),
    DocumentTemplate(
        "acceptance_notice", "受理通知书", "SL", _CASE_ROWS + [("受理日期", "accepted_on"),
                                                          ("法定办结期限", "statutory_due_on"),
                                                          ("承诺办结期限", "promised_due_on")],
        ["您的申请材料齐全、符合法定形式，本机关决定予以受理。{deemed_note}",
         "{originals_note}",
         "法定期限和承诺期限以工作日计算，不含法定节假日；依法需要听证、检验、检测、鉴定、专家评审等的，"
         "所需时间不计算在期限内，本机关将书面告知。"],
        list_key="originals", list_title="须到窗口核验原件的材料"),
    DocumentTemplate(
        "refusal_notice", "不予受理通知书", "BSL", _CASE_ROWS + [("决定日期", "issued_on")],
        ["经审查，本机关决定对您的申请不予受理。理由如下：", "{reason}",
         "如不服本决定，可以在收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"]),
    DocumentTemplate(
        "special_procedure_notice", "特别程序告知书", "TS", _CASE_ROWS + [
            ("程序种类", "procedure"), ("开始日期", "started_on"), ("预计所需时间", "expected_days_text"),
            ("预计结束日期", "expected_end_on")],
        ["根据《中华人民共和国行政许可法》第四十五条，您的申请需要进行{procedure}。{procedure}自{started_on}开始，"
         "预计需要{expected_days_text}（含开始日期），预计于{expected_end_on}结束。",
         "{procedure}所需时间不计入办理时限：自开始日期至结束日期（均含当日）的工作日不计算在审批期限内。"
         "程序结束后，本机关将书面告知实际结束日期和顺延后的办结期限。",
         "理由：{reason}"]),
    DocumentTemplate(
        "special_procedure_end_notice", "特别程序结束告知书", "TJ", _CASE_ROWS + [
            ("程序种类", "procedure"), ("开始日期", "started_on"), ("结束日期", "ended_on"),
            ("不计入办理时限", "working_days_text"), ("法定办结期限", "statutory_due_on"),
            ("承诺办结期限", "promised_due_on")],
        ["您的申请所需的{procedure}已于{ended_on}结束，自{started_on}至{ended_on}（均含当日）共{working_days_text}"
         "不计入办理时限，法定办结期限顺延至{statutory_due_on}。", "结果：{result}"]),
    DocumentTemplate(
        "extension_notice", "延长审批期限告知书", "YQ", _CASE_ROWS + [
            ("延长", "days_text"), ("延长后的法定办结期限", "statutory_due_on")],
        ["经本机关负责人批准，您的申请的审批期限延长{days}个工作日。理由：{reason}"]),
    DocumentTemplate(
        "decision", "行政审批决定书", "JD", _CASE_ROWS + [("决定", "decision"), ("决定日期", "issued_on"),
                                                      ("证照名称", "certificate_name"),
                                                      ("证照编号", "certificate_number"),
                                                      ("有效期至", "valid_until")],
        ["{decision_text}", "审批意见：{opinion}"],
        list_key="decisions", list_title="审查核定事项"),
    DocumentTemplate(
        "delivery_receipt", "送达回证", "SD", _CASE_ROWS + [("送达文书", "documents"), ("送达方式", "method"),
                                                       ("送达日期", "delivered_on")],
        ["上述文书已依法送达。"]),
]


def register_document_templates() -> None:
    for template in TEMPLATES:
        document_templates.register(template.key, template)


def cn_date(day: dt.date | None) -> str:
    """A date as documents print it: 2026年10月1日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


class _Blank(dict):
    def __missing__(self, key):
        return ""


def fill(text: str, context: dict) -> str:
    values = _Blank({k: ("" if v is None else v) for k, v in context.items() if not isinstance(v, list | dict)})
    return string.Formatter().vformat(text, (), values)


def render_pdf(template_key: str, *, number: str, issuer: str, context: dict) -> bytes:
    """One A4 document (continuing on further pages when long)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    template = document_templates.get(template_key)
    register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(template.title)
    pdf.setAuthor(issuer)
    width, height = A4
    left, right, y = 70, width - 70, height - 80

    def line(text: str, size: float = 11, x: float = left, gap: float = 8):
        nonlocal y
        for part in wrap(text, right - x, size):
            if y < 80:
                pdf.showPage()
                y = height - 80
            pdf.setFont(FONT, size)
            pdf.drawString(x, y, part)
            y -= size + gap

    pdf.setFont(FONT, 20)
    pdf.drawCentredString(width / 2, y, template.title)
    y -= 30
    pdf.setFont(FONT, 10)
    pdf.drawRightString(right, y, f"文书编号：{number}")
    y -= 28
    for label, key in template.rows:
        value = context.get(key)
        if value in (None, ""):
            continue
        line(f"{label}：{value}")
    y -= 6

    def paragraphs(texts: list[str]):
        for paragraph in texts:
            text = fill(paragraph, context).strip()
            if text:
                line("　　" + text)

    paragraphs(template.paragraphs[:template.list_after])
    if template.list_key and context.get(template.list_key):
        line(template.list_title + "：", 12)
        for i, item in enumerate(context[template.list_key], start=1):
            line(f"{i}. {item}", 11, left + 16)
        y -= 6
    paragraphs(template.paragraphs[template.list_after:])
    y -= 30
    line(issuer, 12, right - 220)
    line(f"{context.get('issued_on', '')}", 12, right - 220)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
