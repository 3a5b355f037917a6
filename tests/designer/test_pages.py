"""The designer's pages through Django's test client: editing, refusals with paths, review, diff."""

from __future__ import annotations

import json

import pytest

from designer.models import ApprovalItem
from designer.palette import ordered_fields

from .factories import sample_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, demo):
    client.force_login(demo.editor)
    return client


def new_item(editor) -> str:
    response = editor.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "小餐饮登记"}, follow=True)
    assert response.status_code == 200
    return ApprovalItem.objects.get(name="小餐饮登记").code


def test_item_list_and_detail_show_the_public_elements_and_flowchart(editor):
    page = editor.get("/designer/").content.decode()
    assert "JB-SCJG-XK-0001" in page and "JB-WJ-XK-0001" not in page
    detail = editor.get("/designer/items/JB-SCJG-XK-0001/").content.decode()
    for element in ["颁发的证件及有效期", "设定依据", "受理机构及地点", "审批收费", "投诉"]:
        assert element in detail
    assert 'class="flowchart"' in detail and "现场核查" in detail


def test_builder_adds_conditional_field_and_table(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/form/"
    editor.post(url, {"op": "add", "kind": "choice", "key": "kind", "title": "经营类型", "required": "on",
                      "choices": "餐饮\n零售"})
    editor.post(url, {"op": "add", "kind": "number", "key": "seats", "title": "座位数", "required": "on",
                      "visible_if": '{"==": [{"var": "kind"}, "餐饮"]}'})
    editor.post(url, {"op": "add", "kind": "table", "key": "staff", "title": "从业人员", "choices": "name 姓名"})
    editor.post(url, {"op": "add", "kind": "id_number", "key": "id_number", "title": "身份证号码", "table": "staff",
                      "required": "on"})
    form = ApprovalItem.objects.get(code=code).definition["form"]
    schema = form["schema"]
    # Display order is the UI schema's (PostgreSQL's jsonb does not keep object key order).
    assert ordered_fields(form) == ["applicant_name", "kind", "seats", "staff"]
    assert schema["properties"]["staff"]["items"]["required"] == ["id_number"]
    ui = ApprovalItem.objects.get(code=code).definition["form"]["ui_schema"]["fields"]["staff"]
    assert ui["columns"] == ["name", "id_number"]
    page = editor.get(url).content.decode()
    assert 'data-visible-if="{&quot;==&quot;: [{&quot;var&quot;: &quot;kind&quot;}' in page
    assert "增加一行" in page


def test_builder_removes_one_column_of_a_table_but_never_the_last(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/form/"
    editor.post(url, {"op": "add", "kind": "table", "key": "staff", "title": "从业人员", "choices": "name 姓名"})
    editor.post(url, {"op": "add", "kind": "id_number", "key": "id_number", "title": "身份证号码", "table": "staff",
                      "required": "on"})
    page = editor.get(url).content.decode()
    assert 'aria-label="删除表格 staff 的列 id_number"' in page

    editor.post(url, {"op": "remove_column", "key": "staff", "column": "id_number"})
    form = ApprovalItem.objects.get(code=code).definition["form"]
    staff = form["schema"]["properties"]["staff"]["items"]
    assert list(staff["properties"]) == ["name"] and staff.get("required", []) == []
    assert form["ui_schema"]["fields"]["staff"]["columns"] == ["name"]

    # the last column stays: a table without columns is no table
    response = editor.post(url, {"op": "remove_column", "key": "staff", "column": "name"}, follow=True)
    assert "至少须保留一列" in response.content.decode()
    assert list(ApprovalItem.objects.get(code=code).definition["form"]["schema"]["properties"]["staff"]["items"]
                ["properties"]) == ["name"]


def test_a_column_a_rule_still_reads_is_not_removed(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/form/"
    editor.post(url, {"op": "add", "kind": "table", "key": "staff", "title": "从业人员", "choices": "name 姓名\nrole 岗位"})
    editor.post(url, {"op": "add", "kind": "text", "key": "note", "title": "说明",
                      "visible_if": '{"some": [{"var": "staff"}, {"==": [{"var": "role"}, "厨师"]}]}'})
    before = ApprovalItem.objects.get(code=code).definition
    response = editor.post(url, {"op": "remove_column", "key": "staff", "column": "role"})
    assert ApprovalItem.objects.get(code=code).definition == before
    page = response.content.decode()
    assert "未保存：请修改以下问题" in page and "变量“role”不存在" in page  # named where the rule reads it


def test_builder_refuses_a_rule_on_a_missing_field_and_saves_nothing(editor):
    code = new_item(editor)
    before = ApprovalItem.objects.get(code=code).definition
    response = editor.post(f"/designer/items/{code}/form/", {
        "op": "add", "kind": "text", "key": "shop", "title": "店名", "visible_if": '{"var": "nothing"}'})
    page = response.content.decode()
    assert "$.form.ui_schema.fields.shop.visible_if.var" in page and "变量“nothing”不存在" in page
    assert ApprovalItem.objects.get(code=code).definition == before


def test_public_info_error_shows_at_the_field(editor):
    code = new_item(editor)
    page = editor.get(f"/designer/items/{code}/public/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(promised_limit_days=25, statutory_limit_days=20)
    response = editor.post(f"/designer/items/{code}/public/", data)
    assert response.context["form"].errors["promised_limit_days"] == [
        "承诺时限（25个工作日）不能超过法定时限（20个工作日）（$.promised_limit_days）"]


def test_materials_and_workflow_pages(editor):
    code = new_item(editor)
    response = editor.post(f"/designer/items/{code}/materials/", {
        "op": "add", "key": "lease", "name": "经营场所租赁合同", "required": "on", "original": "copy", "copies": 1,
        "medium": "either", "file_types": ["pdf"], "max_size_mb": 10,
        "condition": '{"==": [{"var": "applicant_name"}, "某公司"]}'})
    assert response.status_code == 302
    assert ApprovalItem.objects.get(code=code).definition["materials"][0]["condition"] is not None
    workflow = sample_workflow()
    workflow["steps"][1]["return_to"] = ["decide"]
    response = editor.post(f"/designer/items/{code}/workflow/", {"op": "json", "document": json.dumps(workflow)})
    assert "退回只能指向之前的步骤" in response.content.decode()
    workflow["steps"][1]["return_to"] = ["accept"]
    assert editor.post(f"/designer/items/{code}/workflow/", {"op": "json", "document": json.dumps(workflow)}).status_code == 302
    assert "并联审查" in editor.get(f"/designer/items/{code}/workflow/").content.decode()


def test_review_pages(editor, client, demo):
    code = new_item(editor)
    editor.post(f"/designer/items/{code}/submit/", {"opinion": ""})
    client.force_login(demo.legal)
    assert code in client.get("/designer/review/").content.decode()
    client.post(f"/designer/items/{code}/send_back/", {"opinion": "请补充设定依据条款"})
    assert ApprovalItem.objects.get(code=code).state == "draft"
    client.force_login(demo.editor)
    client.post(f"/designer/items/{code}/submit/", {})
    client.force_login(demo.legal)
    response = client.post(f"/designer/items/{code}/publish/", {"opinion": ""}, follow=True)
    assert "请填写审核意见" in response.content.decode()
    client.post(f"/designer/items/{code}/publish/", {"opinion": "同意发布"})
    item = ApprovalItem.objects.get(code=code)
    assert item.state == "published" and item.current_version.number == 1


def test_diff_and_preview(editor):
    page = editor.get("/designer/items/JB-SCJG-XK-0001/diff/").content.decode()
    assert "两者相同" in page
    response = editor.post("/designer/items/JB-SCJG-XK-0001/preview/", {
        "operator_name": "示范餐饮", "credit_code": "91330106MA2H3K7L09", "business_types": ["自动售货设备销售"]})
    page = response.content.decode()
    assert "统一社会信用代码校验位不正确" in page
    assert "自动售货设备的放置地点" in page  # the conditional material applies


def test_other_staff_cannot_open_the_designer(client, demo):
    client.force_login(demo.clerk)
    assert client.get("/designer/").status_code == 403
    client.force_login(demo.multi)
    assert client.get("/designer/items/JB-SCJG-XK-0001/").status_code == 403
    assert client.get("/designer/items/JB-WJ-XK-0001/").status_code == 200


def test_rule_editor_shows_the_practice_in_words_and_saves_the_items_own_cards(editor):
    code = new_item(editor)
    page = editor.get(f"/designer/items/{code}/supervision/").content.decode()
    assert "承诺时限届满前2个工作日起预警" in page
    assert "超过承诺时限1个工作日以上（第2个工作日起）黄牌" in page
    assert "超过法定时限1个工作日以上（第2个工作日起）红牌" in page
    form = {"yellow_card__own": "on", "yellow_card__limit": "promised", "yellow_card__overdue_days_over": "0",
            "red_card__own": "on", "red_card__limit": "promised", "red_card__overdue_days_over": "3",
            "warning__limit": "promised", "warning__remaining_percent": "0"}
    editor.post(f"/designer/items/{code}/supervision/", form)
    assert ApprovalItem.objects.get(code=code).definition["supervision"] == {
        "yellow_card": {"limit": "promised", "overdue_days_over": 0},
        "red_card": {"limit": "promised", "overdue_days_over": 3}}  # the warning stays the district's
    page = editor.get(f"/designer/items/{code}/supervision/").content.decode()
    assert "超过承诺时限即黄牌" in page and "超过承诺时限3个工作日以上（第4个工作日起）红牌" in page

    # a yellow card after the red one on the same limit: refused at the field, nothing saved
    late = editor.post(f"/designer/items/{code}/supervision/", {**form, "yellow_card__overdue_days_over": "5"})
    assert "黄牌须早于红牌" in late.content.decode() and "$.supervision.yellow_card.overdue_days_over" in (
        late.content.decode())
    assert ApprovalItem.objects.get(code=code).definition["supervision"]["yellow_card"]["overdue_days_over"] == 0
