"""The public guide's flowchart (办理流程图) in a real browser, at 1366 px and on a phone (390 px):
drawn with the workflow editor's vertical flow, a condition branch in words, a parallel branch by
department, a special procedure and returns visible; no label clipped, none over another.
Screenshots: test-artifacts/runtime-guide-flowchart-{1366,390}.png."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import fits_the_screen, two_width_shots

from . import factories
from .factories import WORK, step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "JB-SCJG-XK-0091"
LONG_LABEL = "投资金额较大且经营热食类食品制售的，报请分管领导审核后再作决定"

# Every label of the drawing, and the boxes that must not overlap one another.
LABELS = ".flowchart :is(.flow-type, .flow-name, .flow-line, .flow-lane-label, .flow-when, .flow-branch-title, .flow-goes)"
BOXES = ".flowchart :is(.flow-card, .flow-lane-label, .flow-branch-title, .flow-goes)"

CLIPPED = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
  .map((el) => el.textContent.trim())"""

OVERLAPS = """(selector) => {
  const els = [...document.querySelectorAll(selector)];
  const rects = els.map((el) => el.getBoundingClientRect());
  const found = [];
  for (let i = 0; i < els.length; i++) for (let j = i + 1; j < els.length; j++) {
    if (els[i].contains(els[j]) || els[j].contains(els[i])) continue;
    const a = rects[i], b = rects[j];
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
      found.push([els[i].textContent.trim(), els[j].textContent.trim()]);
  }
  // every text of a card stays inside its card
  document.querySelectorAll('.flowchart .flow-card').forEach((card) => {
    const c = card.getBoundingClientRect();
    card.querySelectorAll('span, strong').forEach((t) => {
      const r = t.getBoundingClientRect();
      if (r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5)
        found.push([card.textContent.trim(), t.textContent.trim()]);
    });
  });
  return found;
}"""


def guide_workflow() -> dict:
    """受理 → 承办 → 专家评审（特殊程序）→ 并联（卫健、住建）→ 审核 →（条件）分管领导审核 → 批准 → 办结."""
    return {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", 1, ["approve", "request_correction", "reject"],
             ["handle"]),
        step("handle", "handle", "承办", "handler", None, 2, WORK, ["expert"], return_to=["accept"]),
        step("expert", "special_procedure", "专家评审", "handler", None, 0, ["approve"], ["split"],
             procedure="专家评审", expected_days=10),
        step("split", "parallel_branch", "并联审查", to=["health", "planning"]),
        step("health", "review", "卫健会签", "section_chief", "JB-WJ", 2, ["approve", "reject"], ["join"]),
        step("planning", "review", "住建会签", "section_chief", "JB-ZJ", 2, ["approve", "reject"], ["join"]),
        step("join", "parallel_join", "并联汇合", to=["review"]),
        step("review", "review", "审核", "section_chief", None, 1, WORK,
             [{"to": "leader_review", "label": LONG_LABEL,
               "when": {"and": [{">": [{"var": "amount"}, 1000]}, {"==": [{"var": "business"}, "热食类食品制售"]}]}},
              {"to": "decide"}], return_to=["handle"]),
        step("leader_review", "review", "分管领导审核", "leader", None, 1, WORK, ["decide"],
             return_to=["handle", "review"]),
        step("decide", "approve", "批准", "leader", None, 1, WORK, ["done"], return_to=["handle", "review"]),
        step("done", "complete", "办结", "window_clerk", "JB-SPJ", 1, ["complete"]),
    ]}


def drawn_well(page) -> None:
    page.locator(".flowchart li.flow-node").first.wait_for()
    assert page.evaluate(CLIPPED, LABELS) == []
    assert page.evaluate(OVERLAPS, BOXES) == []
    fits_the_screen(page)  # the chart scrolls in its own box


def test_the_guide_draws_the_workflow_as_the_editor_does_and_reads_at_both_widths(district, page):
    factories.publish(factories.definition(CODE, workflow=guide_workflow(), name="流程图示例许可"))
    page.goto(f"/hall/items/{CODE}/")
    chart = page.locator(".flowchart")
    assert chart.locator("li.flow-node").count() == 11 and chart.locator("svg").count() == 0
    text = chart.inner_text()
    # the condition in words (the builder's description), never as json-logic
    assert "投资金额（元）大于1000，并且经营项目等于“热食类食品制售”" in text and '"var"' not in text
    assert LONG_LABEL in text and "其他情况" in text
    # the parallel lanes by department, the special procedure and the returns
    parallel = chart.locator("li.flow-branch.kind-parallel .flow-lane-label")
    assert parallel.all_inner_texts() == ["江滨区卫生健康局", "江滨区住房和城乡建设局"]
    assert "特殊程序" in text and "专家评审" in text and "可退回到：承办、审核" in text
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        drawn_well(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    chart.scroll_into_view_if_needed()
    two_width_shots(page, "runtime-guide-flowchart")
