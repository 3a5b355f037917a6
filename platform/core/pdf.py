"""What every PDF the platform prints shares: the Chinese font and line wrapping (case documents,
blank forms, initial-password slips, flowcharts).

Text uses ReportLab's built-in CID font ``STSong-Light`` (no font file to ship; PDF viewers
supply the glyphs). Canvases are made with ``invariant=1`` so the same input gives the same bytes.
"""

from __future__ import annotations

FONT = "STSong-Light"


def register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` points (by character: Chinese has no spaces)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for ch in text:
        if ch == "\n":
            lines.append(line)
            line = ""
            continue
        if stringWidth(line + ch, FONT, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    lines.append(line)
    return lines
