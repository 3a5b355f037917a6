"""The issue's "Done when" scenario in a real browser (Debian's Chromium through Playwright).

A department editor creates an item with a new form (a conditional field and a repeating
table), a material required only under a condition and a four-level workflow with a return
and a parallel step, and submits it; the legal office sends it back once, then publishes it.
Screenshots of the designer and the preview are saved under test-artifacts/.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.browser import ARTIFACTS

from .factories import sample_workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(transactional_db, settings):
    from core.demo import run_demo_loaders

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    run_demo_loaders(lambda _msg: None)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"designer-{name}.png"), full_page=True)


def open_advanced(form) -> None:
    """Unfold the form's 高级 panels (the identifier and the rules' JSON), as an advanced user does."""
    form.locator("details.advanced, details.rule-advanced").first.wait_for(state="attached")
    closed = form.locator("details:not([open]) > summary")
    while closed.count():
        closed.first.click()


def add_field(page, *, kind: str, key: str, title: str, required=False, choices="", visible_if="", table=""):
    form = page.locator("form.palette")
    form.locator("#id_kind").select_option(label=kind)
    open_advanced(form)
    form.locator("#id_key").fill(key)
    form.locator("#id_title").fill(title)
    form.locator("#id_required").set_checked(required)
    if choices:  # the box shows only for the types that have choices (a table: its columns)
        form.locator("#id_choices").fill(choices)
    form.locator("#id_visible_if").fill(visible_if)
    if table:
        form.locator("#id_table").select_option(table)
    form.get_by_role("button", name="添加字段").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已保存").is_visible(), page.locator(".messages").inner_text()


def logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")


def test_editor_designs_submits_and_legal_office_sends_back_then_publishes(district, login, live_server):
    from designer.models import ApprovalItem

    page = login("editor")
    page.goto("/designer/")
    page.locator("#id_department").select_option(label="江滨区市场监督管理局")
    page.locator("#id_item_type").select_option(label="行政许可")
    page.locator("#id_name").fill("小餐饮经营登记")
    page.get_by_role("button", name="新建事项").click()
    page.wait_for_url("**/designer/items/JB-SCJG-XK-0003/")
    code = "JB-SCJG-XK-0003"

    # The form: a choice, a field shown only for catering, a repeating table with an ID column.
    page.get_by_role("link", name="表单设计", exact=True).click()
    add_field(page, kind="单选", key="kind", title="经营类型", required=True, choices="餐饮\n零售")
    add_field(page, kind="数字", key="seats", title="座位数", required=True,
              visible_if='{"==": [{"var": "kind"}, "餐饮"]}')
    add_field(page, kind="重复表格（多行）", key="staff", title="从业人员", required=True, choices="name 姓名")
    add_field(page, kind="身份证号码", key="id_number", title="身份证号码", required=True, table="staff")
    preview = page.locator("section.preview")
    assert not preview.locator('[data-field="seats"]').is_visible()
    preview.get_by_label("餐饮").check()
    assert preview.locator('[data-field="seats"]').is_visible()  # the conditional field appears at once
    preview.get_by_role("button", name="增加一行").click()
    assert preview.locator("table.rows tbody tr").count() == 2
    id_input = preview.locator("table.rows tbody tr").first.locator("input").nth(1)
    id_input.fill("330106198503121232")
    id_input.blur()
    assert preview.get_by_text("身份证号码校验位不正确，请核对").is_visible()  # checked in the browser too
    shot(page, "form-builder")

    # A material required only for catering.
    page.get_by_role("link", name="申请材料", exact=True).click()
    open_advanced(page.locator("form", has=page.get_by_role("button", name="添加材料")))
    page.locator("#id_key").fill("hygiene")
    page.locator("#id_name").fill("餐饮服务从业人员健康证明")
    page.locator("#id_condition").fill('{"==": [{"var": "kind"}, "餐饮"]}')
    page.get_by_role("button", name="添加材料").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("cell", name="餐饮服务从业人员健康证明", exact=True).is_visible()

    # A four-level workflow (受理 → 承办 → 审核 → 批准) with returns and a parallel review.
    page.get_by_role("link", name="办理流程", exact=True).click()
    workflow = sample_workflow()
    bad = json.loads(json.dumps(workflow))
    bad["steps"][1]["return_to"] = ["decide"]
    page.get_by_label("流程定义（JSON）").fill(json.dumps(bad, ensure_ascii=False, indent=2))
    with page.expect_navigation():
        page.get_by_role("button", name="校验并保存").click()
    assert page.locator(".problems").get_by_text("$.workflow.steps[1].return_to[0]").is_visible()
    assert page.locator("li.flow-node.has-problems[data-step='handle']").is_visible()  # on its node too
    page.get_by_label("流程定义（JSON）").fill(json.dumps(workflow, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="校验并保存").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("li.flow-node").count() == 9
    shot(page, "workflow")

    page.get_by_role("link", name="表单预览", exact=True).click()
    page.get_by_label("零售").check()
    assert not page.locator('[data-field="seats"]').is_visible()
    page.get_by_label("餐饮").check()
    shot(page, "preview")

    page.get_by_role("link", name="概览", exact=True).click()
    page.get_by_role("button", name="提交法制办审核").click()
    assert page.get_by_text("已提交法制办审核").is_visible()
    logout(page)

    # The legal office sends it back once …
    login("legal")
    page.goto("/designer/review/")
    page.get_by_role("link", name=code).click()
    page.get_by_label("审核意见").fill("请写明设定依据的具体条款")
    page.get_by_role("button", name="退回修改").click()
    assert page.get_by_text("已退回修改").is_visible()
    logout(page)

    # … the editor fixes it and resubmits …
    login("editor")
    page.goto(f"/designer/items/{code}/public/")
    page.locator("#id_legal_basis").fill("《中华人民共和国食品安全法》第三十五条第一款")
    page.get_by_role("button", name="保存公开信息").click()
    page.wait_for_url(f"**/designer/items/{code}/")
    page.get_by_role("button", name="提交法制办审核").click()
    logout(page)

    # … and the legal office publishes it.
    login("legal")
    page.goto(f"/designer/items/{code}/")
    page.get_by_label("审核意见").fill("同意发布")
    page.get_by_role("button", name="审核通过并发布").click()
    assert page.get_by_text("已审核通过并发布").is_visible()
    assert page.get_by_text("现行版本：第1版").is_visible()
    shot(page, "published")

    item = ApprovalItem.objects.get(code=code)
    assert item.state == "published"
    assert [r.action for r in item.reviews.all()] == ["submit", "send_back", "submit", "publish"]
    document = item.current_version.document
    assert document["materials"][0]["condition"] == {"==": [{"var": "kind"}, "餐饮"]}
    assert document["form"]["ui_schema"]["fields"]["seats"]["visible_if"] == {"==": [{"var": "kind"}, "餐饮"]}
