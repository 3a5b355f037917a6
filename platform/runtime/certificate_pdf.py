"""The electronic certificate (电子证照) as a PDF: its particulars, validity, a QR code leading to
the public verification page, and the keyed checksum (``runtime.certificates.signature_of``).

The QR code is drawn by ReportLab's own QR widget (``reportlab.graphics.barcode.qr``, part of the
pinned ReportLab: no second library). The same link is also printed as text and set as the
code's link annotation, so a reader without a camera can follow it. The checksum is printed and
set as the document's keywords; the verification page checks it when the link carries it.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.urls import reverse

from core.pdf import FONT, register_font, wrap

from .certificates import signature_of, validity_text
from .documents import cn_date
from .models import Certificate

QR_SIZE = 110  # points


def verification_path(certificate: Certificate) -> str:
    """The verification page of this version with the PDF's checksum (``?s=``), site-relative."""
    return (reverse("runtime:certificate-verify", args=[certificate.verification_code]) + "?"
            + urlencode({"s": signature_of(certificate)}))


def certificate_filename(certificate: Certificate) -> str:
    return f"{certificate.name}-{certificate.number}" + (f"-v{certificate.version}" if certificate.version > 1 else "") + ".pdf"


def render_certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """One A4 page; ``verify_url``: the absolute link of :func:`verification_path`."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    register_font()
    signature = signature_of(certificate)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(f"{certificate.name} {certificate.number}")
    pdf.setAuthor(certificate.department.name)
    pdf.setSubject(verify_url)
    pdf.setKeywords(f"certificate-signature:{signature}")
    width, height = A4
    left, right, y = 70, width - 70, height - 90

    def line(text: str, size: float = 12, gap: float = 10):
        nonlocal y
        for part in wrap(text, right - left - QR_SIZE - 10, size):
            pdf.setFont(FONT, size)
            pdf.drawString(left, y, part)
            y -= size + gap

    pdf.setFont(FONT, 24)
    pdf.drawCentredString(width / 2, y, certificate.name + ("（补发）" if certificate.replacement else ""))
    y -= 50
    holder = certificate.holder
    line(f"证照编号：{certificate.number}" + (f"（第{certificate.version}版）" if certificate.version > 1 else ""))
    line(f"持证人：{holder.name}")
    line(f"{'统一社会信用代码' if holder.credit_code else '身份证号码'}：{holder.credit_code or holder.id_number}")
    for particular in certificate.particulars:
        if particular["value"]:
            line(f"{particular['label']}：{particular['value']}")
    line(f"发证日期：{cn_date(certificate.issued_on)}")
    line(f"有效期至：{validity_text(certificate)}")
    line(f"发证机关：{certificate.department.name}")

    widget = QrCodeWidget(verify_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    qr_x, qr_y = right - QR_SIZE, height - 90 - 50 - QR_SIZE
    renderPDF.draw(drawing, pdf, qr_x, qr_y)
    pdf.linkURL(verify_url, (qr_x, qr_y, qr_x + QR_SIZE, qr_y + QR_SIZE), relative=0)
    pdf.setFont(FONT, 9)
    pdf.drawCentredString(qr_x + QR_SIZE / 2, qr_y - 12, "扫码核验")

    y = 120
    pdf.setFont(FONT, 8)
    for part in wrap(f"核验网址：{verify_url}", right - left, 8):
        pdf.drawString(left, y, part)
        y -= 12
    pdf.drawString(left, y, f"电子证照校验码：{signature}")
    y -= 12
    pdf.drawString(left, y, "扫描二维码或访问核验网址可查询本证照的当前状态（有效、已过期、已注销、已变更）。")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
