"""The flowchart on paper (designer.flow_print): the flow editor's layout (designer.flow) with
coordinates, for the SVG and PDF files of the returns. Boxes never overlap, every text line stays
inside the width it was wrapped to, lanes of a branch stand side by side between its bars."""

from __future__ import annotations

import pytest

from designer.flow import flow_layout
from designer.flow_print import Box, Line, Text, flow_drawing, flow_svg

from .factories import sample_workflow

LONG = "投资金额较大且经营热食类食品制售的，报请分管领导审核后再作决定，并通知申请人补充说明材料"


def items(workflow):
    return flow_layout(workflow, describe_step=lambda s: [f"时限{s.get('limit_days', 0)}个工作日"],
                       describe_condition=lambda when: LONG, describe_department=lambda s: s.get("department") or "")


def overlapping(boxes):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h]


@pytest.fixture
def branched():
    workflow = sample_workflow()
    steps = {s["key"]: s for s in workflow["steps"]}
    steps["review"]["transitions"] = [{"to": "decide", "label": LONG, "when": {"==": [{"var": "a"}, 1]}},
                                      {"to": "done"}]
    return workflow


def test_boxes_never_overlap_and_texts_stay_inside_their_box(branched):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from core.pdf import FONT, register_font

    register_font()
    drawing = flow_drawing(items(branched))
    boxes = [s for s in drawing.shapes if isinstance(s, Box)]
    assert len(boxes) == 9 and overlapping(boxes) == []
    texts = [s for s in drawing.shapes if isinstance(s, Text)]
    for t in texts:
        half = stringWidth(t.text, FONT, t.size) / 2
        assert 0 <= t.x - half and t.x + half <= drawing.width and 0 < t.y <= drawing.height
        inside = [b for b in boxes if b.x <= t.x <= b.x + b.w and b.y <= t.y <= b.y + b.h]
        for box in inside:  # a card's line is narrower than its card
            assert box.x <= t.x - half and t.x + half <= box.x + box.w
    assert any(LONG.startswith(t.text) and t.text != LONG for t in texts)  # the long label wraps


def test_a_parallel_branch_places_its_lanes_side_by_side_between_two_bars(branched):
    drawing = flow_drawing(items(branched))
    boxes = {round(b.y): b for b in drawing.shapes if isinstance(b, Box)}
    lanes = [b for b in drawing.shapes if isinstance(b, Box) and any(
        isinstance(t, Text) and t.text in ("卫健会签", "住建会签") and b.x <= t.x <= b.x + b.w and b.y <= t.y <= b.y + b.h
        for t in drawing.shapes)]
    assert len(lanes) == 2 and lanes[0].y == lanes[1].y and lanes[0].x + lanes[0].w < lanes[1].x
    bars = [s for s in drawing.shapes if isinstance(s, Line) and s.y1 == s.y2 and s.width > 2]
    assert len(bars) == 4  # two for the parallel branch, two for the condition branch
    assert boxes  # every step drawn


def test_the_svg_file_is_the_same_drawing_with_its_text_escaped():
    workflow = sample_workflow()
    workflow["steps"][1]["name"] = "承办<审查>"
    svg = flow_svg(items(workflow))
    assert svg.startswith("<?xml") and "承办&lt;审查&gt;" in svg and svg.count("<rect ") == 9
