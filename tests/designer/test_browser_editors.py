"""The catalogue upload and the step editor in a real browser (Debian's Chromium, Playwright).

Screenshots of the dry-run table and the step editor are saved under test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.fixtures.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    from core.demo import run_demo_loaders

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    run_demo_loaders(lambda _msg: None)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"designer-{name}.png"), full_page=True)


def catalogue_file(tmp_path, user, change) -> str:
    import tablib

    from designer.catalogue import export_catalogue
    from designer.selectors import items_for

    data = tablib.Dataset().load(export_catalogue(items_for(user), file_format="csv").decode("utf-8-sig"),
                                 format="csv")
    change(data)
    path = tmp_path / "目录.csv"
    path.write_text(data.export("csv"), encoding="utf-8")
    return str(path)


def test_catalogue_dry_run_shows_the_duplicate_row_then_a_clean_file_imports(district, login, tmp_path):
    from accounts.models import User
    from designer.catalogue import HEADERS
    from designer.models import ApprovalItem

    editor = User.objects.get(username="editor")
    fees = HEADERS.index("收费")

    def duplicate(data):
        row = list(data[1])
        row[0] = data[0][0]
        data[1] = row

    def new_fees(data):
        row = list(data[0])
        row[fees] = "不收费（含证书工本费）"
        data[0] = row

    page = login("editor")
    page.goto("/designer/")
    page.get_by_role("link", name="目录导入导出").click()
    page.get_by_label("目录文件（xlsx 或 csv）").set_input_files(catalogue_file(tmp_path, editor, duplicate))
    page.get_by_role("button", name="上传并试导入").click()
    row = page.locator("table.import-rows tr", has_text="第3行")
    assert row.get_by_text("事项编码：“JB-SCJG-XK-0001”与第2行重复").is_visible()
    assert page.get_by_role("alert").get_by_text("有 1 行错误，不能导入").is_visible()
    assert page.get_by_role("button", name="确认导入").count() == 0
    shot(page, "catalogue-dry-run")

    page.get_by_label("目录文件（xlsx 或 csv）").set_input_files(catalogue_file(tmp_path, editor, new_fees))
    page.get_by_role("button", name="上传并试导入").click()
    assert page.get_by_text("全部 2 行检查通过：新增 0 个，修改 1 个，无变化 1 个").is_visible()
    assert ApprovalItem.objects.get(code="JB-SCJG-XK-0001").definition["public"]["fees"] == "不收费"
    page.get_by_role("button", name="确认导入").click()
    assert page.get_by_text("已导入：新增 0 个事项，修改 1 个事项").is_visible()
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    assert item.state == "draft" and item.definition["public"]["fees"] == "不收费（含证书工本费）"


def test_step_editor_adds_a_step_and_the_flowchart_follows(district, login):
    from accounts.models import Department, User
    from designer import services

    editor = User.objects.get(username="editor")
    item = services.item_create(actor=editor, department=Department.objects.get(code="JB-SCJG"), item_type="XK",
                                name="小餐饮经营登记")
    page = login("editor")
    page.goto(f"/designer/items/{item.code}/workflow/")
    assert page.locator("li.flow-node").count() == 5
    page.get_by_role("link", name="添加步骤").click()
    form = page.locator("form.step-form")
    form.get_by_label("步骤名称").fill("现场核查")  # its identifier is generated from the name
    form.get_by_label("步骤类型").select_option(label="承办")
    form.get_by_label("办理角色（系统处理的步骤不填）").select_option(label="承办人")
    form.get_by_label("本步骤时限（工作日）").fill("3")
    for action in ["通过", "退回", "不予许可"]:
        form.get_by_label(action, exact=True).check()
    form.locator("#id_return_to").get_by_label("承办").check()
    form.get_by_label("插入到此步骤之后（新步骤接过它的流转）").select_option(label="承办")
    shot(page, "step-editor")
    form.get_by_role("button", name="保存步骤").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("已保存").is_visible(), page.locator(".messages").inner_text()
    assert page.locator("li.flow-node").count() == 6
    assert page.locator("li.flow-node[data-step='xian_chang_he_cha']").is_visible()  # drawn in the flow
    shot(page, "workflow-after-step")
