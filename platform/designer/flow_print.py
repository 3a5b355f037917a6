"""The vertical flow (:mod:`designer.flow`) placed on paper, for the files the legal office sends
the city (各审批项目办理流程图: SVG and PDF). The pages draw the same items with HTML and CSS
(``designer/_flow_items.html``); a file needs coordinates, so this module measures the same items
the same way — steps one under another, a branch's lanes side by side between two bars, text
wrapped inside its box (measured with the PDF font, so nothing is clipped) — and both drawings
read those coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape

from core.pdf import FONT, register_font, wrap

from .flow import FlowBranch, FlowNode

CARD_W, PAD, GAP, LANE_GAP, BAR = 176, 7, 22, 18, 10
NAME_SIZE, LINE_SIZE, LABEL_SIZE = 13, 10, 10
LINE, BORDER, SHADE = "#8c9bb0", "#1f2328", "#f3f5f8"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str = BORDER


@dataclass(frozen=True)
class Text:
    x: float  # the centre of the line
    y: float  # its baseline
    text: str
    size: float
    colour: str = BORDER
    bold: bool = False


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = LINE
    width: float = 1.5


@dataclass
class Drawing:
    width: float
    height: float
    shapes: list


def _lines(text: str, width: float, size: float) -> list[str]:
    register_font()
    return [line for line in wrap(text, width, size) if line] or [""]


class _Placer:
    def __init__(self):
        self.shapes: list = []

    def text_block(self, texts: list[tuple[str, float, str, bool]], cx: float, top: float, width: float) -> float:
        """Wrapped lines centred on ``cx`` from ``top``; returns the bottom."""
        y = top
        for text, size, colour, bold in texts:
            for line in _lines(text, width, size):
                y += size + 3
                self.shapes.append(Text(cx, y - 3, line, size, colour, bold))
        return y

    # Each ``measure_*`` returns (width, height) without placing; ``place_*`` places at (left, top).
    def card_texts(self, node: FlowNode) -> list:
        head = node.type_label + ("（开始）" if node.is_start else "")
        return ([(head, LINE_SIZE, "#555555", False), (node.name, NAME_SIZE, BORDER, True)]
                + [(line, LINE_SIZE, "#444444", False) for line in node.lines])

    def measure_card(self, node: FlowNode) -> tuple[float, float]:
        count = sum(len(_lines(t, CARD_W - 2 * PAD, s)) * (s + 3) for t, s, _c, _b in self.card_texts(node))
        return CARD_W, count + 2 * PAD

    def place_card(self, node: FlowNode, left: float, top: float) -> float:
        w, h = self.measure_card(node)
        self.shapes.append(Box(left, top, w, h, node.fill, "#b3261e" if node.is_start else BORDER))
        self.text_block(self.card_texts(node), left + w / 2, top + PAD, w - 2 * PAD)
        return top + h

    def lane_label(self, branch: FlowBranch, index: int) -> list:
        lane = branch.lanes[index]
        title = lane.label or (lane.department or f"分支{index + 1}" if branch.kind == "parallel"
                               else f"条件{index + 1}" if lane.condition else "其他情况")
        texts = [(title, LABEL_SIZE, BORDER, False)]
        if lane.condition:
            texts.append((f"当{lane.condition}", LABEL_SIZE, "#6a3d00", False))
        if not lane.items:
            texts.append((f"直接到“{lane.goes_to}”", LABEL_SIZE, "#555555", False))
        return texts

    def measure_items(self, items: list) -> tuple[float, float]:
        width, height = CARD_W, 0.0
        for n, entry in enumerate(items):
            w, h = self.measure_card(entry) if entry.is_node else self.measure_branch(entry)
            width, height = max(width, w), height + h + (GAP if n else 0)
        return width, height

    def measure_lane(self, branch: FlowBranch, index: int) -> tuple[float, float]:
        w, h = self.measure_items(branch.lanes[index].items)
        label = sum(len(_lines(t, w, s)) * (s + 3) for t, s, _c, _b in self.lane_label(branch, index))
        return w, label + (GAP / 2 + h if branch.lanes[index].items else 0)

    def branch_title(self, branch: FlowBranch) -> str:
        return ("并联审批：各分支同时办理，全部办结后汇合" if branch.kind == "parallel"
                else "条件分支：按顺序判断，第一条成立的生效")

    def measure_branch(self, branch: FlowBranch) -> tuple[float, float]:
        lanes = [self.measure_lane(branch, i) for i in range(len(branch.lanes))]
        width = sum(w for w, _h in lanes) + LANE_GAP * (len(lanes) - 1)
        title = len(_lines(self.branch_title(branch), max(width, CARD_W), LABEL_SIZE)) * (LABEL_SIZE + 3)
        return width, title + 2 * BAR + max(h for _w, h in lanes) + 2 * GAP / 2

    def place_items(self, items: list, cx: float, top: float) -> float:
        y = top
        for n, entry in enumerate(items):
            if n:  # the connector from the item above
                self.shapes.append(Line(cx, y, cx, y + GAP))
                y += GAP
            w, _h = self.measure_card(entry) if entry.is_node else self.measure_branch(entry)
            y = self.place_card(entry, cx - w / 2, y) if entry.is_node else self.place_branch(entry, cx, y)
        return y

    def place_branch(self, branch: FlowBranch, cx: float, top: float) -> float:
        width, height = self.measure_branch(branch)
        y = self.text_block([(self.branch_title(branch), LABEL_SIZE, "#333333", False)], cx, top, max(width, CARD_W))
        bar_top, bar_bottom = y + BAR / 2, top + height - BAR / 2
        colour = "#5b7fd6" if branch.kind == "parallel" else LINE
        centres, left = [], cx - width / 2
        for i, lane in enumerate(branch.lanes):
            w, _h = self.measure_lane(branch, i)
            lane_cx = left + w / 2
            centres.append(lane_cx)
            bottom = self.text_block(self.lane_label(branch, i), lane_cx, bar_top + GAP / 2, w)
            if lane.items:
                self.shapes.append(Line(lane_cx, bottom, lane_cx, bottom + GAP / 2))
                bottom = self.place_items(lane.items, lane_cx, bottom + GAP / 2)
            self.shapes.append(Line(lane_cx, bottom, lane_cx, bar_bottom, colour))
            left += w + LANE_GAP
        for y_bar in (bar_top, bar_bottom):
            self.shapes.append(Line(min(centres[0], cx), y_bar, max(centres[-1], cx), y_bar, colour, 2.5))
        return top + height


def flow_drawing(items: list, *, margin: float = 20) -> Drawing:
    """The flow items of :func:`designer.flow.unit_flow` with coordinates (y grows downwards)."""
    placer = _Placer()
    width, height = placer.measure_items(items)
    placer.place_items(items, margin + width / 2, margin)
    return Drawing(width + 2 * margin, height + 2 * margin, placer.shapes)


def flow_svg(items: list) -> str:
    """The drawing as a standalone SVG file."""
    drawing = flow_drawing(items)
    out = ["<?xml version='1.0' encoding='UTF-8'?>\n",
           f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='办理流程图' width='{drawing.width:.0f}' "
           f"height='{drawing.height:.0f}' viewBox='0 0 {drawing.width:.0f} {drawing.height:.0f}' "
           f"font-family='{FONT}, sans-serif'>"]
    for s in drawing.shapes:
        if isinstance(s, Line):
            out.append(f"<line x1='{s.x1:.1f}' y1='{s.y1:.1f}' x2='{s.x2:.1f}' y2='{s.y2:.1f}' stroke='{s.colour}' "
                       f"stroke-width='{s.width}'/>")
        elif isinstance(s, Box):
            out.append(f"<rect x='{s.x:.1f}' y='{s.y:.1f}' width='{s.w:.1f}' height='{s.h:.1f}' rx='5' "
                       f"fill='{s.fill}' stroke='{s.stroke}'/>")
        else:
            weight = " font-weight='600'" if s.bold else ""
            out.append(f"<text x='{s.x:.1f}' y='{s.y:.1f}' text-anchor='middle' font-size='{s.size}' "
                       f"fill='{s.colour}'{weight}>{escape(s.text)}</text>")
    out.append("</svg>")
    return "".join(out)


def flow_pdf(title: str, items: list) -> bytes:
    """The drawing on one A4 page under ``title``, scaled to fit."""
    import io

    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    register_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    page_w, page_h = A4
    heading = wrap(title, page_w - 80, 16)
    pdf.setFont(FONT, 16)
    for i, line in enumerate(heading):
        pdf.drawCentredString(page_w / 2, page_h - 50 - i * 22, line)
    top = page_h - 60 - 22 * len(heading)
    drawing = flow_drawing(items)
    scale = min(1.0, (page_w - 60) / drawing.width, (top - 40) / drawing.height)
    left = (page_w - drawing.width * scale) / 2
    for s in drawing.shapes:
        if isinstance(s, Line):
            pdf.setStrokeColor(HexColor(s.colour))
            pdf.setLineWidth(s.width * scale)
            pdf.line(left + s.x1 * scale, top - s.y1 * scale, left + s.x2 * scale, top - s.y2 * scale)
        elif isinstance(s, Box):
            pdf.setFillColor(HexColor(s.fill))
            pdf.setStrokeColor(HexColor(s.stroke))
            pdf.setLineWidth(0.8)
            pdf.roundRect(left + s.x * scale, top - (s.y + s.h) * scale, s.w * scale, s.h * scale, 5 * scale,
                          stroke=1, fill=1)
        else:
            pdf.setFillColor(HexColor(s.colour))
            pdf.setFont(FONT, s.size * scale)
            # STSong-Light has no glyph for "·" (U+00B7) the step descriptions use between their parts.
            pdf.drawCentredString(left + s.x * scale, top - s.y * scale, s.text.replace(" · ", "，").replace("·", "，"))
    pdf.setFillColor(HexColor("#5b6470"))
    pdf.setFont(FONT, 9)
    pdf.drawString(30, 25, "从上到下办理；红框为起始环节；并联审批各部门同时办理后汇合；特殊程序期间不计入办理时限")
    pdf.showPage()
    pdf.save()
    return out.getvalue()
