"""Initial-password slips (初始登录信息单) to hand out: per person (three slips to an A4 page,
cut along the dashed lines) or per department (one page listing its people).

The passwords exist only in this PDF: the database keeps their hashes, and the account must
change the password at first login (``User.must_change_password``).
"""

from __future__ import annotations

import io
from itertools import groupby

from core.pdf import FONT, register_font

from .imports.staff import InitialPassword

PASSWORD_FONT = "Courier-Bold"  # a Latin monospace: 0/O and 1/l never look alike (none are used anyway)
PLATFORM = "网上审批及电子监察平台"
NOTICE = "首次登录后系统将要求立即修改密码。初始密码只能使用一次，请妥善保管本单，勿转交他人，修改密码后请销毁。"


def _unit_of(user) -> str:
    unit = user.department
    if unit is None:
        return "（未指定单位）"
    return f"{unit.parent.name} {unit.name}" if unit.kind == "section" and unit.parent_id else unit.name


def _department_key(entry: InitialPassword) -> str:
    unit = entry.user.department
    if unit is None:
        return ""
    return unit.parent.name if unit.kind == "section" and unit.parent_id else unit.name


def slips_pdf(entries: list[InitialPassword], *, login_url: str, per: str = "person") -> bytes:
    """The slips for ``entries``; ``per`` is ``"person"`` or ``"department"``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    register_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.setTitle("初始登录信息单")
    width, height = A4
    entries = sorted(entries, key=lambda e: (_department_key(e), e.user.username))
    if per == "department":
        for department, group in groupby(entries, key=_department_key):
            _department_page(pdf, width, height, department, list(group), login_url)
            pdf.showPage()
    else:
        slip_h = height / 3
        for index, entry in enumerate(entries):
            slot = index % 3
            if index and slot == 0:
                pdf.showPage()
            _person_slip(pdf, width, height - slot * slip_h, slip_h, entry, login_url)
        if entries:
            pdf.showPage()
    pdf.save()
    return out.getvalue()


def _person_slip(pdf, width, top, slip_h, entry: InitialPassword, login_url: str) -> None:
    left = 60
    user = entry.user
    pdf.setFont(FONT, 16)
    pdf.drawCentredString(width / 2, top - 50, f"{PLATFORM} 初始登录信息")
    lines = [("单位", _unit_of(user)), ("姓名", user.full_name), ("用户名", user.username)]
    y = top - 85
    for label, value in lines:
        pdf.setFont(FONT, 12)
        pdf.drawString(left, y, f"{label}：{value}")
        y -= 22
    pdf.setFont(FONT, 12)
    pdf.drawString(left, y, "初始密码：")
    pdf.setFont(PASSWORD_FONT, 16)
    pdf.drawString(left + 62, y, entry.password)
    y -= 24
    pdf.setFont(FONT, 11)
    pdf.drawString(left, y, f"登录地址：{login_url}")
    y -= 22
    pdf.setFont(FONT, 9)
    pdf.drawString(left, y, NOTICE)
    pdf.setDash(4, 3)
    pdf.setLineWidth(0.5)
    pdf.line(30, top - slip_h + 2, width - 30, top - slip_h + 2)
    pdf.setDash()


def _department_page(pdf, width, height, department: str, group: list[InitialPassword], login_url: str) -> None:
    left = 60
    pdf.setFont(FONT, 16)
    pdf.drawCentredString(width / 2, height - 60, f"{department or '未指定单位'} 工作人员初始登录信息")
    pdf.setFont(FONT, 10)
    pdf.drawString(left, height - 85, f"登录地址：{login_url}")
    pdf.drawString(left, height - 101, NOTICE)
    y = height - 135
    columns = [("科室/单位", left), ("姓名", left + 170), ("用户名", left + 260), ("初始密码", left + 380)]
    pdf.setFont(FONT, 11)
    for title, x in columns:
        pdf.drawString(x, y, title)
    pdf.line(left, y - 6, width - left, y - 6)
    for entry in group:
        y -= 24
        if y < 60:
            pdf.showPage()
            y = height - 60
        user = entry.user
        pdf.setFont(FONT, 11)
        pdf.drawString(left, y, user.department.name if user.department_id else "")
        pdf.drawString(left + 170, y, user.full_name)
        pdf.setFont(PASSWORD_FONT, 12)
        pdf.drawString(left + 260, y, user.username)
        pdf.drawString(left + 380, y, entry.password)
