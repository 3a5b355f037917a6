"""The condition builder in a real browser: an editor writes a visibility condition and a material
condition with clicks and Chinese text only (no JSON typed), the stored json-logic is the one
meant, and a rule the builder cannot show survives a save byte for byte. The builder's grammar is
also round-tripped in the browser over the vectors rules/builder.py is tested on.

Screenshots at 1366 px and 390 px are saved under test-artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.browser import two_width_shots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VECTORS = json.loads((Path(__file__).parents[1] / "rules" / "builder_vectors.json").read_text(encoding="utf-8"))
CODE = "JB-SCJG-XK-0001"


def shot(page, name: str) -> None:
    two_width_shots(page, f"designer-rule-builder-{name}")


def definition():
    from designer.models import ApprovalItem

    return ApprovalItem.objects.get(code=CODE).definition


def no_json_typed(page) -> None:
    """The test fails if any rule's JSON box (under 高级) was typed into."""
    page.evaluate("""() => document.querySelectorAll('[data-rule-input]').forEach(box => {
        box.addEventListener('input', () => { window.__jsonTyped = true; }); })""")


def test_the_builder_reads_and_writes_the_shared_vectors_exactly(district, login):
    page = login("editor")
    page.goto(f"/designer/items/{CODE}/form/?field=area")
    page.wait_for_function("window.RuleBuilder !== undefined")
    result = page.evaluate("""(vectors) => {
        const B = window.RuleBuilder, problems = [];
        vectors.representable.forEach(({rule, tree}) => {
            const read = B.toTree(rule);
            if (JSON.stringify(read) !== JSON.stringify(tree)) problems.push(['read', rule, read]);
            if (JSON.stringify(B.toRule(tree)) !== JSON.stringify(rule)) problems.push(['write', rule]);
        });
        vectors.not_representable.forEach((rule) => {
            const before = JSON.stringify(rule);
            if (B.toTree(rule) !== null) problems.push(['should not be representable', rule]);
            if (JSON.stringify(rule) !== before) problems.push(['changed', rule]);
        });
        return problems;
    }""", VECTORS)
    assert result == []


def test_an_editor_builds_a_visibility_condition_with_clicks(district, login):
    page = login("editor")
    page.goto(f"/designer/items/{CODE}/form/?field=area#field-editor")
    form = page.locator("form.field-edit")
    builder = form.locator(".rule-builder")
    builder.wait_for()
    no_json_typed(page)
    assert builder.get_by_text("无条件（总是成立）").is_visible()
    builder.get_by_role("button", name="添加条件", exact=True).click()
    builder.get_by_label("条件字段").nth(0).select_option(label="经营项目")
    assert builder.get_by_label("比较方式").nth(0).input_value() == "contains"  # 包含, offered for a multiple choice
    builder.get_by_label("条件的值").nth(0).select_option(label="热食类食品制售")
    builder.get_by_role("button", name="添加条件", exact=True).click()
    builder.get_by_label("条件字段").nth(1).select_option(label="是否委托代理人办理")
    builder.get_by_label("比较方式").nth(1).select_option(label="等于")
    builder.get_by_label("条件的值").nth(1).select_option(label="否")
    builder.get_by_label("条件组的满足方式").select_option(label="任一满足以下条件")
    shot(page, "visibility")
    form.get_by_role("button", name="保存字段").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已保存").is_visible(), page.locator(".messages").inner_text()
    assert definition()["form"]["ui_schema"]["fields"]["area"]["visible_if"] == {"or": [
        {"in": ["热食类食品制售", {"var": "business_types"}]}, {"==": [{"var": "by_agent"}, "否"]}]}
    # The field list says it in words, not JSON.
    assert page.get_by_text("经营项目包含“热食类食品制售”，或者是否委托代理人办理等于“否”").is_visible()
    assert not page.evaluate("window.__jsonTyped === true")


def test_an_editor_adds_a_material_with_a_condition_without_naming_it_in_english(district, login):
    page = login("editor")
    page.goto(f"/designer/items/{CODE}/materials/")
    no_json_typed(page)
    form = page.locator("form", has=page.get_by_role("button", name="添加材料"))
    form.get_by_label("材料名称").fill("餐饮服务场所平面布局图")
    builder = form.locator(".rule-builder")
    builder.get_by_role("button", name="添加条件", exact=True).click()
    builder.get_by_label("条件字段").select_option(label="经营场所面积（平方米）")
    builder.get_by_label("比较方式").select_option(label="大于")
    builder.get_by_label("条件的值").fill("100")
    builder.get_by_role("button", name="添加条件组").click()
    group = builder.locator(".rb-group .rb-group")
    group.get_by_label("条件字段").select_option(label="申请渠道")  # a case fact, by its Chinese name
    group.get_by_label("比较方式").select_option(label="等于")
    group.get_by_label("条件的值").select_option(label="窗口申请")
    shot(page, "material")
    form.get_by_role("button", name="添加材料").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已保存").is_visible(), page.locator(".messages").inner_text()
    added = definition()["materials"][-1]
    assert added["name"] == "餐饮服务场所平面布局图"
    assert added["key"] == "can_yin_fu_wu_chang_suo_ping"  # generated from the Chinese name
    assert added["condition"] == {"and": [{">": [{"var": "area"}, 100]},
                                          {"==": [{"var": "case.channel"}, "window"]}]}
    assert not page.evaluate("window.__jsonTyped === true")


def test_a_rule_the_builder_cannot_show_stays_byte_identical_after_saving(district, login):
    import copy

    from accounts.models import User
    from designer import services
    from designer.models import ApprovalItem

    item = ApprovalItem.objects.get(code=CODE)
    doc = copy.deepcopy(item.definition)
    odd = {"==": ["是", {"var": "by_agent"}]}  # the value first: outside the builder's grammar
    doc["form"]["ui_schema"]["fields"]["agent_id"]["visible_if"] = odd
    services.item_update(actor=User.objects.get(username="editor"), item=item, definition=doc)
    before = json.dumps(definition()["form"]["ui_schema"]["fields"]["agent_id"]["visible_if"], ensure_ascii=False)

    page = login("editor")
    page.goto(f"/designer/items/{CODE}/form/?field=agent_id#field-editor")
    form = page.locator("form.field-edit")
    assert form.get_by_text("此条件超出可视编辑的范围，已原样保留").is_visible()
    assert form.locator("details.rule-advanced[open]").count() == 1  # its JSON is shown under 高级
    form.get_by_label("帮助说明").fill("与身份证件上的号码一致")
    shot(page, "verbatim")
    form.get_by_role("button", name="保存字段").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已保存").is_visible(), page.locator(".messages").inner_text()
    fields = definition()["form"]["ui_schema"]["fields"]["agent_id"]
    assert fields["help"] == "与身份证件上的号码一致"
    assert json.dumps(fields["visible_if"], ensure_ascii=False) == before
