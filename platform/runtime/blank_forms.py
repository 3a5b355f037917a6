"""The blank application form (申请表) of a published unit, as a PDF to print and fill in by hand.

Paper applicants at the window need the form the online applicant sees; the platform already
knows it from the item's JSON-schema form, so it is generated, never uploaded. Fields print in
the UI schema's order with their titles, required ones marked "*", choices as "□ 选项",
repeating tables as a grid with empty rows, help texts in small print; then the materials to
attach in the guide's wording and a signature line. A field shown only by a rule prints with
"（如适用）" (the guide has no wording for such rules). Same definition, same bytes.
"""

from __future__ import annotations

import io

from core.pdf import FONT, register_font, wrap
from designer.palette import field_ui, ordered_fields
from designer.render import table_columns

from .definitions import Definition
from .wording import material_form, material_requirement

TITLE_SIZE, TEXT_SIZE, SMALL_SIZE = 18, 11, 8
TABLE_ROWS = 5  # empty rows printed for a repeating table (fewer when the table allows fewer)
LABEL_WIDTH = 170  # the column of field titles; the writing space is to its right


def blank_form_filename(definition: Definition) -> str:
    return f"{definition.unit_name}申请表.pdf"


class _Sheet:
    """A canvas with a cursor moving down the page, starting a new page when space runs out."""

    def __init__(self, pdf, width: float, height: float):
        self.pdf, self.width, self.height = pdf, width, height
        self.left, self.right, self.top, self.bottom = 60, width - 60, height - 60, 60
        self.y = self.top
        self.page = 1

    def need(self, space: float) -> None:
        if self.y - space < self.bottom:
            self.footer()
            self.pdf.showPage()
            self.page += 1
            self.y = self.top

    def footer(self) -> None:
        self.pdf.setFont(FONT, SMALL_SIZE)
        self.pdf.drawCentredString(self.width / 2, 35, f"第{self.page}页")

    def text(self, text: str, *, size: float = TEXT_SIZE, x: float | None = None, gap: float = 6) -> None:
        x = self.left if x is None else x
        for part in wrap(text, self.right - x, size):
            self.need(size + gap)
            self.pdf.setFont(FONT, size)
            self.pdf.drawString(x, self.y - size, part)
            self.y -= size + gap

    def rule(self, x1: float, x2: float, y: float) -> None:
        self.pdf.setLineWidth(0.6)
        self.pdf.line(x1, y, x2, y)


def _write_space(sheet: _Sheet, kind: str, label_lines: int) -> None:
    """The blank to write in, to the right of the title or below it."""
    pdf, x = sheet.pdf, sheet.left + LABEL_WIDTH
    row = max(label_lines, 1) * (TEXT_SIZE + 6) + 8
    sheet.need(row)
    baseline = sheet.y - row + 4
    sheet.rule(x, sheet.right, baseline)
    pdf.setFont(FONT, TEXT_SIZE)
    if kind == "date":
        pdf.drawRightString(sheet.right, baseline + 3, "年　　月　　日")
    elif kind == "date_range":
        pdf.drawString(x + 10, baseline + 3, "　　　年　　月　　日　至　　　　年　　月　　日")
    sheet.y -= row
    if kind == "address":  # a second full line: addresses are long
        sheet.need(26)
        sheet.rule(x, sheet.right, sheet.y - 22)
        sheet.y -= 26


def _box(sheet: _Sheet, height: float) -> None:
    sheet.need(height + 6)
    sheet.pdf.setLineWidth(0.6)
    sheet.pdf.rect(sheet.left, sheet.y - height, sheet.right - sheet.left, height)
    sheet.y -= height + 6


def _options(sheet: _Sheet, options: list[str], multiple: bool) -> None:
    line = "　".join(f"□ {o}" for o in options) + ("（可多选）" if multiple else "")
    sheet.text(line, x=sheet.left + 16)


def _table(sheet: _Sheet, prop: dict, ui: dict) -> None:
    columns = table_columns(prop, ui)
    if not columns:
        _box(sheet, 60)
        return
    required = set((prop.get("items") or {}).get("required") or [])
    width = (sheet.right - sheet.left) / len(columns)
    heads = [wrap(c.get("title", k) + ("*" if k in required else ""), width - 6, 9) for k, c in columns]
    head_h = max(len(h) for h in heads) * 11 + 8
    row_h, rows = 24, min(TABLE_ROWS, prop.get("maxItems") or TABLE_ROWS)
    sheet.need(head_h + rows * row_h + 6)
    pdf, top = sheet.pdf, sheet.y
    bottom = top - head_h - rows * row_h
    pdf.setLineWidth(0.6)
    for i in range(len(columns) + 1):
        pdf.line(sheet.left + i * width, top, sheet.left + i * width, bottom)
    for r in range(rows + 2):
        y = top if r == 0 else top - head_h - (r - 1) * row_h
        pdf.line(sheet.left, y, sheet.right, y)
    pdf.setFont(FONT, 9)
    for i, lines in enumerate(heads):
        for j, part in enumerate(lines):
            pdf.drawString(sheet.left + i * width + 3, top - 13 - j * 11, part)
    sheet.y = bottom - 6
    for key, column in columns:  # a choice column says what may be written
        options = column.get("enum") or (column.get("items") or {}).get("enum")
        if options:
            sheet.text(f"{column.get('title', key)}：{'／'.join(options)}", size=SMALL_SIZE, x=sheet.left + 16, gap=4)


def _field(sheet: _Sheet, number: int, form: dict, name: str, required: bool) -> None:
    prop = form["schema"]["properties"][name]
    ui = field_ui(form, name)
    kind = prop.get("x-field")
    title = f"{number}. {prop.get('title', name)}{'*' if required else ''}"
    if "visible_if" in ui:
        title += "（如适用）"
    inline = kind not in ("textarea", "choice", "multi_choice", "table", "upload")
    label_lines = wrap(title, (LABEL_WIDTH - 8) if inline else (sheet.right - sheet.left), TEXT_SIZE)
    sheet.need(len(label_lines) * (TEXT_SIZE + 6) + 30)
    if inline:  # the title on the left, the line to write on beside it
        sheet.pdf.setFont(FONT, TEXT_SIZE)
        for i, part in enumerate(label_lines):
            sheet.pdf.drawString(sheet.left, sheet.y - TEXT_SIZE - 4 - i * (TEXT_SIZE + 6), part)
        _write_space(sheet, kind, len(label_lines))
    else:
        sheet.text(title)
    if kind == "textarea":
        _box(sheet, 80)
    elif kind == "choice":
        _options(sheet, prop.get("enum", []), False)
    elif kind == "multi_choice":
        _options(sheet, (prop.get("items") or {}).get("enum", []), True)
    elif kind == "table":
        _table(sheet, prop, ui)
    elif kind == "upload":
        sheet.text("（以纸质材料附后）", x=sheet.left + 16)
    help_text = ui.get("help") or prop.get("description")
    if help_text:
        sheet.text(help_text, size=SMALL_SIZE, x=sheet.left + 16, gap=4)
    sheet.y -= 6


def _materials(sheet: _Sheet, materials: list[dict]) -> None:
    sheet.y -= 8
    sheet.need(40)
    sheet.text("所附材料", size=13)
    if not materials:
        sheet.text("本事项无需提交材料。", x=sheet.left + 16)
    for i, m in enumerate(materials, start=1):
        sheet.text(f"{i}. {m['name']}（{material_requirement(m)}；{material_form(m, '，')}；{m['copies']}份）",
                   x=sheet.left + 16)
        if m.get("note"):
            sheet.text(m["note"], size=SMALL_SIZE, x=sheet.left + 32, gap=4)


def blank_form_pdf(definition: Definition, *, department_name: str) -> bytes:
    """The printable blank form of one unit (the item, or one of its stages)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    register_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    title = f"{definition.unit_name}申请表"
    pdf.setTitle(title)
    pdf.setAuthor(department_name)
    sheet = _Sheet(pdf, *A4)
    for part in wrap(title, sheet.right - sheet.left, TITLE_SIZE):
        pdf.setFont(FONT, TITLE_SIZE)
        pdf.drawCentredString(sheet.width / 2, sheet.y - TITLE_SIZE, part)
        sheet.y -= TITLE_SIZE + 8
    sheet.y -= 6
    sheet.text(f"事项编码：{definition.document['code']}　　实施部门：{department_name}", size=10)
    office = definition.public.get("accepting_office") or {}
    if office.get("name"):
        sheet.text(f"受理地点：{office['name']} {office.get('address', '')}".strip(), size=10)
    sheet.text("填写说明：带“*”的为必填项；标注“（如适用）”的项目仅在符合情形时填写；选择项请在“□”内打“√”。",
               size=SMALL_SIZE, gap=10)
    form = definition.form
    names = ordered_fields(form)
    required = set(form["schema"].get("required", []))
    if not names:
        sheet.text("（本事项无需填写申请表项目）")
    for number, name in enumerate(names, start=1):
        _field(sheet, number, form, name, name in required)
    _materials(sheet, definition.materials)
    sheet.y -= 10
    sheet.need(70)
    sheet.text("本人（单位）承诺：所填内容及所附材料真实、有效，如有不实，愿承担相应法律责任。", size=10, gap=20)
    sheet.text("申请人（签名或盖章）：____________________　　　日期：　　　　年　　月　　日")
    sheet.footer()
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
