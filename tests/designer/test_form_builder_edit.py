"""The form builder edits existing fields (label, help, required, choices, visibility, checks)
and reorders them; every save validates the whole definition."""

from __future__ import annotations

import pytest

from designer.models import ApprovalItem
from designer.palette import ordered_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder(client, demo):
    client.force_login(demo.editor)
    client.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "小餐饮登记"})
    code = ApprovalItem.objects.get(name="小餐饮登记").code
    url = f"/designer/items/{code}/form/"
    client.post(url, {"op": "add", "kind": "choice", "key": "kind", "title": "经营类型", "required": "on",
                      "choices": "餐饮\n零售"})
    client.post(url, {"op": "add", "kind": "text", "key": "shop", "title": "店名"})
    return client, code, url


def form_of(code) -> dict:
    return ApprovalItem.objects.get(code=code).definition["form"]


def edit(client, url, key, **data):
    return client.post(f"{url}?field={key}", {"op": "edit", **{f"edit-{k}": v for k, v in data.items()}})


def test_edit_label_help_required_visibility_and_checks(builder):
    client, code, url = builder
    form = client.get(url, {"field": "shop"}).context["edit_form"]
    assert form.initial == {"title": "店名", "help": "", "required": False, "maxLength": 100}
    assert set(form.fields) == {"title", "help", "required", "visible_if", "minLength", "maxLength", "pattern"}
    response = edit(client, url, "shop", title="店铺名称", help="与营业执照一致", required="on", minLength=2,
                    maxLength=30, visible_if='{"==": [{"var": "kind"}, "餐饮"]}')
    assert response.status_code == 302
    form = form_of(code)
    assert form["schema"]["properties"]["shop"] == {"title": "店铺名称", "x-field": "text", "type": "string",
                                                    "minLength": 2, "maxLength": 30}
    assert "shop" in form["schema"]["required"]
    assert form["ui_schema"]["fields"]["shop"] == {"help": "与营业执照一致",
                                                   "visible_if": {"==": [{"var": "kind"}, "餐饮"]}}
    page = client.get(url).content.decode()
    assert "店铺名称" in page and "与营业执照一致" in page and 'maxlength="30"' in page
    # The check applies when applicants fill the form (server side).
    response = client.post(f"/designer/items/{code}/preview/", {"kind": "餐饮", "shop": "店"})
    assert response.context["errors"]["$.shop"] == ["长度不能少于 2 个字符"]


def test_edit_choices_and_clear_a_check(builder):
    client, code, url = builder
    assert client.get(url, {"field": "kind"}).context["edit_form"].initial["choices"] == "餐饮\n零售"
    edit(client, url, "kind", title="经营类型", required="on", choices="餐饮\n零售\n零售\n网络销售")
    assert form_of(code)["schema"]["properties"]["kind"]["enum"] == ["餐饮", "零售", "网络销售"]
    edit(client, url, "shop", title="店名", maxLength="")
    assert "maxLength" not in form_of(code)["schema"]["properties"]["shop"]
    assert "shop" not in form_of(code)["ui_schema"]["fields"]


def test_refused_edits_save_nothing(builder):
    client, code, url = builder
    before = form_of(code)
    response = edit(client, url, "shop", title="店名", visible_if='{"var": "nothing"}')
    page = response.content.decode()
    assert "$.form.ui_schema.fields.shop.visible_if.var" in page and "变量“nothing”不存在" in page
    response = edit(client, url, "shop", title="店名", minLength=10, maxLength=5)
    assert response.context["edit_form"].errors["maxLength"] == ["不能小于最少字数"]
    response = edit(client, url, "kind", title="经营类型", choices="")
    assert response.context["edit_form"].errors["choices"] == ["单选、多选须至少填写一个选项"]
    assert form_of(code) == before
    assert client.get(url, {"field": "nothing"}).status_code == 404


def test_move_fields_up_and_down(builder):
    client, code, url = builder
    assert ordered_fields(form_of(code)) == ["applicant_name", "kind", "shop"]
    client.post(url, {"op": "move", "key": "shop", "direction": "up"})
    assert ordered_fields(form_of(code)) == ["applicant_name", "shop", "kind"]
    client.post(url, {"op": "move", "key": "applicant_name", "direction": "down"})
    assert ordered_fields(form_of(code)) == ["shop", "applicant_name", "kind"]
    client.post(url, {"op": "move", "key": "shop", "direction": "up"})  # already first: nothing changes
    assert ordered_fields(form_of(code)) == ["shop", "applicant_name", "kind"]


def edit_column(client, url, table, column, **data):
    return client.post(f"{url}?field={table}&column={column}",
                       {"op": "edit", **{f"edit-{k}": v for k, v in data.items()}})


@pytest.fixture
def with_table(builder):
    client, code, url = builder
    client.post(url, {"op": "add", "kind": "table", "key": "staff", "title": "从业人员", "choices": "name 姓名\nrole 岗位"})
    client.post(url, {"op": "add", "kind": "choice", "key": "grade", "title": "健康证等级", "table": "staff",
                      "choices": "甲\n乙"})
    return client, code, url


def test_edit_a_table_column_title_required_and_checks(with_table):
    client, code, url = with_table
    page = client.get(url).content.decode()
    assert 'aria-label="编辑表格 staff 的列 name"' in page
    form = client.get(url, {"field": "staff", "column": "name"}).context["edit_form"]
    assert "help" not in form.fields and "visible_if" not in form.fields  # the table as a whole has them
    assert form.initial["title"] == "姓名"
    response = edit_column(client, url, "staff", "name", title="姓名（与身份证一致）", required="on", maxLength=20)
    assert response.status_code == 302
    staff = form_of(code)["schema"]["properties"]["staff"]["items"]
    assert staff["properties"]["name"]["title"] == "姓名（与身份证一致）"
    assert staff["properties"]["name"]["maxLength"] == 20 and "name" in staff["required"]
    assert "name" not in form_of(code)["schema"].get("required", [])  # the table's row, not the form
    edit_column(client, url, "staff", "grade", title="健康证等级", choices="甲\n乙\n丙")
    assert form_of(code)["schema"]["properties"]["staff"]["items"]["properties"]["grade"]["enum"] == ["甲", "乙", "丙"]
    page = client.get(url).content.decode()
    assert "姓名（与身份证一致）" in page  # the preview shows the new column title


def test_refused_column_edits_save_nothing(with_table):
    client, code, url = with_table
    before = form_of(code)
    response = edit_column(client, url, "staff", "name", title="姓名", minLength=10, maxLength=5)
    assert response.context["edit_form"].errors["maxLength"] == ["不能小于最少字数"]
    response = edit_column(client, url, "staff", "grade", title="等级", choices="")
    assert response.context["edit_form"].errors["choices"] == ["单选、多选须至少填写一个选项"]
    assert form_of(code) == before
    assert client.get(url, {"field": "staff", "column": "nothing"}).status_code == 404
    assert client.get(url, {"field": "shop", "column": "name"}).status_code == 404  # not a table
