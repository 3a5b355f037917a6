"""Issue 14 in a real browser, the remaining points: the condition builder offers case facts with a
known set of values (办件状态, 承办部门, 当前环节) as lists of Chinese names; certificate particulars
take their source from a list by Chinese title; the item overview draws the workflow with the
flow editor's layout, no label clipped or over another. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import json

import pytest

from tests.fixtures.browser import two_width_shots
from tests.runtime.test_browser_guide_flowchart import BOXES, CLIPPED, LABELS, OVERLAPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOD = "JB-SCJG-XK-0001"
HYGIENE = "JB-WJ-XK-0001"


def options_of(select) -> list[str]:
    return [o.strip() for o in select.locator("option").all_inner_texts()]


def test_case_facts_with_known_values_are_chosen_from_lists_of_chinese_names(district, login):
    page = login("editor")
    page.goto(f"/designer/items/{FOOD}/workflow/?step=examine#step-editor")
    builder = page.locator("form.step-form table.transitions tbody tr").nth(1).locator(".rule-builder")
    builder.get_by_role("button", name="添加条件", exact=True).click()
    builder.get_by_label("条件字段").select_option(label="办件状态")
    builder.get_by_label("比较方式").select_option(label="等于")
    value = builder.get_by_label("条件的值")
    assert value.evaluate("el => el.tagName") == "SELECT"
    assert {"办理中", "特殊程序中", "已接件，待受理"} <= set(options_of(value))
    value.select_option(label="办理中")
    assert json.loads(page.locator("#id_t-1-when").input_value()) == {"==": [{"var": "case.state"}, "in_progress"]}
    builder.get_by_label("条件字段").select_option(label="当前环节")
    assert {"受理", "材料审查", "现场核查"} <= set(options_of(builder.get_by_label("条件的值")))
    builder.get_by_label("条件字段").select_option(label="承办部门")
    assert "江滨区卫生健康局" in options_of(builder.get_by_label("条件的值"))
    builder.get_by_label("条件的值").select_option(label="江滨区卫生健康局")
    assert json.loads(page.locator("#id_t-1-when").input_value()) == {"==": [{"var": "case.department"}, "JB-WJ"]}
    builder.scroll_into_view_if_needed()
    two_width_shots(page, "designer-fact-values")


def test_particulars_take_their_source_from_a_list_and_the_overview_draws_the_flow(district, login):
    from designer.models import ApprovalItem

    page = login("multi")  # item editor of 卫生健康局
    page.goto(f"/designer/items/{HYGIENE}/public/")
    rows = page.locator("table.particulars tbody tr")
    count = rows.count()
    last = rows.nth(count - 1)  # the empty line
    assert last.locator("input[name$='-path']").count() == 0  # nothing to type a path into
    last.get_by_label("证照事项名称").fill("核定人数（复核）")
    last.get_by_label("内容取自").select_option(label="新办：现场审核·核定容纳人数")
    last.get_by_label("显示").uncheck()
    page.locator("fieldset.particulars").scroll_into_view_if_needed()
    two_width_shots(page, "designer-particulars")
    page.get_by_role("button", name="保存公开信息").click()
    page.wait_for_load_state("networkidle")
    particulars = ApprovalItem.objects.get(code=HYGIENE).definition["public"]["certificate"]["particulars"]
    assert particulars[-1] == {"label": "核定人数（复核）", "path": "decision.inspect.capacity", "public": False}
    assert len(particulars) == count

    page.goto(f"/designer/items/{HYGIENE}/")
    page.locator(".flowchart li.flow-node").first.wait_for()
    assert page.locator(".flowchart svg").count() == 0
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(CLIPPED, LABELS) == []
        assert page.evaluate(OVERLAPS, BOXES) == []
    page.set_viewport_size({"width": 1366, "height": 900})
    two_width_shots(page, "designer-overview-flowchart")
