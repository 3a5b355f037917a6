"""Issue 14's "Done when", in a real browser: a department editor builds a new item with clicks
and Chinese text only — two stages, a conditional material, a condition branch, a parallel branch
across two departments that joins, a special procedure step, a repeating table whose columns are
built in its own box, a decision field on a step (with the same form builder) that a later
condition offers by title — the legal office reviews it (the
difference in Chinese) and publishes it, and an applicant applies at once, without a restart.

Every element typed into is recorded; the test fails if one is a JSON text area or an identifier
field. Screenshots of each page at 1366 px and 390 px are kept under test-artifacts/.
"""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import two_width_shots
from tests.runtime.walk import sign_in, submit_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every element typed into (name, id, whether it is a rule's JSON box or a code area).
TRACK_TYPING = """() => { window.__typed = window.__typed || [];
  document.addEventListener('input', (e) => { const el = e.target;
    window.__typed.push({name: el.name || '', id: el.id || '', tag: el.tagName,
      json: el.matches('[data-rule-input], textarea.code, textarea[name=document], textarea[name=decision_form]')});
  }, true); }"""


def shot(page, name: str) -> None:
    two_width_shots(page, f"designer-flow-{name}")


class Typing:
    """Collects what was typed on each page before it is left."""

    def __init__(self, page):
        self.page, self.seen = page, []
        page.add_init_script(f"({TRACK_TYPING})()")

    def collect(self) -> None:
        self.seen.extend(self.page.evaluate("window.__typed || []"))

    def forbidden(self) -> list:
        return [t for t in self.seen if t["json"] or re.search(r"(^|[-_])key$", t["name"])]


def saved(page) -> None:
    page.wait_for_load_state("networkidle")
    messages = page.locator(".messages")
    assert page.get_by_text("已保存").first.is_visible(), messages.inner_text() if messages.count() else page.content()


def test_editor_builds_an_item_with_clicks_legal_office_publishes_applicant_applies(district, page, login):
    from designer.models import ApprovalItem

    typing = Typing(page)
    login("editor")
    # --- a new item -------------------------------------------------------------------------
    page.goto("/designer/")
    page.locator("#id_department").select_option(label="江滨区市场监督管理局")
    page.locator("#id_item_type").select_option(label="行政许可")
    page.locator("#id_name").fill("大型餐饮场所经营许可")
    typing.collect()
    with page.expect_navigation():
        page.get_by_role("button", name="新建事项").click()
    code = ApprovalItem.objects.get(name="大型餐饮场所经营许可").code
    guide = page.get_by_role("navigation", name="办理向导")
    assert guide.get_by_text("尚未列出申请材料").first.is_visible()
    shot(page, "01-new-item-guide")

    # --- two stages ------------------------------------------------------------------------------
    guide.get_by_role("link", name="2. 办理阶段").click()
    page.wait_for_url("**/stages/")
    page.get_by_label("阶段名称（如 设立、变更、延续、注销）").fill("变更")
    page.get_by_label("设定依据").fill("《中华人民共和国食品安全法》第三十五条")
    page.get_by_label("法定时限（工作日）").fill("20")
    page.get_by_label("承诺时限（工作日）").fill("10")
    page.get_by_label("收费").fill("不收费")
    typing.collect()
    page.get_by_role("button", name="添加阶段").click()
    saved(page)
    shot(page, "02-stages")
    assert [s["name"] for s in ApprovalItem.objects.get(code=code).definition["stages"]] == ["设立", "变更"]

    # --- a material required only for window applications (the condition builder) ---------------
    page.goto(f"/designer/items/{code}/materials/?unit=01")
    form = page.locator("form", has=page.get_by_role("button", name="添加材料"))
    form.get_by_label("材料名称").fill("经营场所平面布局图")
    builder = form.locator(".rule-builder")
    builder.get_by_role("button", name="添加条件", exact=True).click()
    builder.get_by_label("条件字段").select_option(label="申请渠道")
    builder.get_by_label("比较方式").select_option(label="等于")
    builder.get_by_label("条件的值").select_option(label="窗口申请")
    typing.collect()
    form.get_by_role("button", name="添加材料").click()
    saved(page)
    shot(page, "03-material")

    # --- the workflow of stage 01, drawn as a flow -----------------------------------------------
    page.goto(f"/designer/items/{code}/workflow/?unit=01")
    flow = page.get_by_role("list", name="办理流程")
    flow.wait_for()
    # a parallel approval after 承办, across two departments, joining again
    page.locator("summary[aria-label='在“承办”之后添加']").click()
    menu = page.locator("li[data-step]", has=page.locator("summary[aria-label='在“承办”之后添加']")).locator(".flow-add-menu").first
    menu.get_by_label("江滨区卫生健康局").check()
    menu.get_by_label("江滨区住房和城乡建设局").check()
    with page.expect_navigation():
        menu.get_by_role("button", name="添加并联审批").click()
    saved(page)
    assert page.get_by_text("并联审批：各分支同时办理，全部办结后汇合").is_visible()
    # a special procedure after 审核
    page.locator("summary[aria-label='在“审核”之后添加']").click()
    with page.expect_navigation():
        page.locator(".flow-add-menu", has=page.get_by_role("link", name="添加特殊程序")).get_by_role(
            "link", name="添加特殊程序").last.click()
    panel = page.get_by_role("complementary", name="步骤设置")
    assert panel.get_by_label("步骤类型").input_value() == "special_procedure"
    panel.get_by_label("步骤名称").fill("专家评审")
    panel.get_by_label("办理角色（系统处理的步骤不填）").select_option(label="承办人")
    panel.get_by_label("本步骤时限（工作日）").fill("1")
    panel.get_by_label("特殊程序种类").select_option(label="专家评审")
    panel.get_by_label(re.compile("预计")).fill("10")
    panel.get_by_label("通过").check()
    typing.collect()
    with page.expect_navigation():
        panel.get_by_role("button", name="保存步骤").click()
    saved(page)
    # a condition branch on 审核: window applications go to 专家评审, the others straight to 批准
    with page.expect_navigation():
        flow.get_by_role("link", name="审核：审核").click()
    panel = page.get_by_role("complementary", name="步骤设置")
    rows = panel.locator("table.transitions tbody tr")
    rows.nth(0).locator("select").first.select_option(label="专家评审")
    first = rows.nth(0).locator(".rule-builder")
    first.get_by_role("button", name="添加条件", exact=True).click()
    first.get_by_label("条件字段").select_option(label="申请渠道")
    first.get_by_label("比较方式").select_option(label="等于")
    first.get_by_label("条件的值").select_option(label="窗口申请")
    rows.nth(0).get_by_role("textbox").first.fill("窗口申请")
    rows.nth(1).locator("select").first.select_option(label="批准")
    typing.collect()
    with page.expect_navigation():
        panel.get_by_role("button", name="保存步骤").click()
    saved(page)
    assert page.get_by_text("条件分支：按顺序判断，第一条成立的生效").is_visible()
    shot(page, "04-workflow")

    definition = ApprovalItem.objects.get(code=code).definition
    steps = {s["name"]: s for s in definition["stages"][0]["workflow"]["steps"]}
    assert {s["type"] for s in steps.values()} >= {"parallel_branch", "parallel_join", "special_procedure"}
    assert steps["审核"]["transitions"][0]["when"] == {"==": [{"var": "case.channel"}, "window"]}
    assert definition["stages"][0]["materials"][-1]["condition"] == {"==": [{"var": "case.channel"}, "window"]}

    # --- a repeating table built in the form builder: added from the palette, its columns in its own box ---
    page.goto(f"/designer/items/{code}/form/")
    palette = page.locator("form.palette")
    palette.get_by_label("组件：", exact=True).select_option(label="重复表格（多行）")
    palette.get_by_label("标题：", exact=True).fill("股东信息")
    palette.get_by_label(re.compile("^选项")).fill("姓名")
    typing.collect()
    with page.expect_navigation():
        palette.get_by_role("button", name="添加字段").click()
    saved(page)
    columns = page.get_by_role("region", name="表格的列")  # the new table opened in its own editor
    columns.get_by_label("列标题：", exact=True).fill("出资额")
    columns.get_by_label("组件：", exact=True).select_option(label="金额（元）")
    columns.get_by_label("必填（每行）：", exact=True).check()
    typing.collect()
    with page.expect_navigation():
        columns.get_by_role("button", name="添加此列").click()
    saved(page)
    assert page.get_by_role("region", name="表格的列").locator(".column-title").all_inner_texts() == ["姓名", "出资额"]
    shot(page, "11-table-columns")
    editor = page.locator("form.field-edit")
    editor.get_by_label("最少行数/项数：", exact=True).fill("1")
    typing.collect()
    with page.expect_navigation():
        editor.get_by_role("button", name="保存字段").click()
    saved(page)
    # a column's header in the live preview opens that column's editor
    with page.expect_navigation():
        page.locator("section.preview th[data-column]", has_text="出资额").click()
    assert page.locator("#field-editor").inner_text() == "编辑表格的列“股东信息·出资额”"
    shot(page, "12-table-column-editor")
    form = ApprovalItem.objects.get(code=code).definition["form"]
    table = next(p for p in form["schema"]["properties"].values() if p["title"] == "股东信息")
    assert {c["title"] for c in table["items"]["properties"].values()} == {"姓名", "出资额"}
    assert table["minItems"] == 1

    # --- a decision field on 承办, built with the same form builder; later conditions offer it ---
    page.goto(f"/designer/items/{code}/workflow/?unit=01")
    with page.expect_navigation():
        page.get_by_role("list", name="办理流程").get_by_role("link", name="承办：承办").click()
    with page.expect_navigation():
        page.get_by_role("complementary", name="步骤设置").get_by_role("link", name="设置决定事项").click()
    assert page.get_by_role("heading", name="决定事项表单：步骤“承办”（阶段01 设立）").is_visible()
    palette = page.locator("form.palette")
    palette.get_by_label("组件：", exact=True).select_option(label="单选")
    palette.get_by_label("标题：", exact=True).fill("现场核查结论")
    palette.get_by_label(re.compile("^选项")).fill("符合要求\n不符合要求")
    typing.collect()
    with page.expect_navigation():
        palette.get_by_role("button", name="添加字段").click()
    saved(page)
    shot(page, "13-decision-form")
    with page.expect_navigation():
        page.get_by_role("link", name="返回流程中的此步骤").click()
    panel = page.get_by_role("complementary", name="步骤设置")
    assert panel.locator(".decision-summary").get_by_text("现场核查结论").is_visible()
    shot(page, "15-step-decision-summary")
    with page.expect_navigation():
        page.get_by_role("list", name="办理流程").get_by_role("link", name="审核：审核").click()
    rows = page.get_by_role("complementary", name="步骤设置").locator("table.transitions tbody tr")
    builder = rows.nth(0).locator(".rule-builder")
    builder.get_by_role("button", name="添加条件", exact=True).click()
    assert builder.get_by_label("条件字段").last.locator("option", has_text="承办·现场核查结论").count() == 1
    steps = {s["key"]: s for s in ApprovalItem.objects.get(code=code).definition["stages"][0]["workflow"]["steps"]}
    decision = steps["handle"]["decision_form"]["schema"]["properties"]
    assert [p["title"] for p in decision.values()] == ["现场核查结论"]

    # --- submitted for review --------------------------------------------------------------------
    page.goto(f"/designer/items/{code}/")
    with page.expect_navigation():
        page.get_by_role("button", name="提交法制办审核").click()
    assert page.get_by_text("已提交法制办审核").is_visible()
    assert not typing.forbidden(), typing.forbidden()

    # --- the legal office reviews the difference in Chinese and publishes -------------------------
    sign_in(page, "legal")
    page.goto(f"/designer/items/{code}/diff/")
    page.wait_for_load_state("networkidle")
    diff = page.locator("table.diff")
    assert diff.get_by_text("阶段“设立” › 办理流程 › 步骤“专家评审” › 特殊程序种类").is_visible()
    assert diff.get_by_text("$.").count() == 0  # positions in words, not JSON paths
    shot(page, "05-review-diff")
    page.goto(f"/designer/items/{code}/")
    page.get_by_label("审核意见").fill("同意发布")
    with page.expect_navigation():
        page.get_by_role("button", name="审核通过并发布").click()
    assert page.get_by_text("已审核通过并发布").is_visible()
    shot(page, "06-published")

    # --- an applicant applies at once ---------------------------------------------------------------
    sign_in(page, "zhangsan")
    page.goto(f"/hall/items/{code}/apply/?unit={code}-01")
    page.get_by_label(re.compile("申请人名称")).first.fill("江滨区示范餐饮有限公司")
    # the repeating table: a second row added, both filled
    holders = page.locator(".form-field[data-kind=table]", has=page.get_by_text("股东信息"))
    holders.get_by_role("button", name="增加一行").click()
    cells = holders.locator("tbody tr")
    assert cells.count() == 2
    for i, (name, amount) in enumerate([("张三", "60"), ("李四", "40")]):
        cells.nth(i).locator("input").nth(0).fill(name)
        cells.nth(i).locator("input").nth(1).fill(amount)
    shot(page, "07-apply")
    submit_form(page, "提交申请")
    from runtime.models import Case

    case = Case.objects.get(item__code=code)
    assert page.get_by_text(case.number).first.is_visible()
    shot(page, "08-received")
    # the application shows the table as a table, its columns by title
    page.goto(f"/cases/{case.number}/")
    shown = page.locator("table.repeat").first
    assert shown.locator("thead th").all_inner_texts() == ["姓名", "出资额"]
    assert shown.locator("tbody tr").nth(1).inner_text().split() == ["李四", "40"]
    shot(page, "14-application-table")


def test_form_builder_drag_to_reorder_and_click_the_preview_to_edit(district, page, login):
    from designer.models import ApprovalItem

    code = "JB-SCJG-XK-0001"
    order = ApprovalItem.objects.get(code=code).definition["form"]["ui_schema"]["order"]
    login("editor")
    page.goto(f"/designer/items/{code}/form/")
    rows = page.locator("tr[data-field-row]")
    with page.expect_navigation():
        rows.nth(2).drag_to(rows.nth(0))
    page.wait_for_load_state("networkidle")
    moved = ApprovalItem.objects.get(code=code).definition["form"]["ui_schema"]["order"]
    assert moved[0] == order[2] and moved[1:3] == order[:2]
    assert page.locator("tr[data-field-row]").first.get_attribute("data-field-row") == order[2]
    shot(page, "09-form-dragged")
    # a click on a field's title in the preview opens its editor
    preview = page.locator("section.preview")
    field = preview.locator(f"[data-field='{order[1]}']").first
    with page.expect_navigation():
        field.locator("label, legend").first.click()
    page.locator("#field-editor").wait_for()
    assert f"field={order[1]}" in page.url
    shot(page, "10-form-click-to-edit")
