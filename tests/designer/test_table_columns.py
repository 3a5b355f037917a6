"""A repeating table built in the form builder itself: added from the palette, then its columns
added, renamed, retyped, reordered and removed inside the table's own editor box, with keys
generated from the Chinese titles and min/max rows; no JSON typed anywhere."""

from __future__ import annotations

import pytest

from designer.models import ApprovalItem
from designer.render import table_columns

pytestmark = pytest.mark.django_db


@pytest.fixture
def shareholders(client, demo):
    """A new item whose form has a table 股东信息 with one column 姓名, added from the palette."""
    client.force_login(demo.editor)
    client.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "公司设立登记"})
    code = ApprovalItem.objects.get(name="公司设立登记").code
    url = f"/designer/items/{code}/form/"
    response = client.post(url, {"op": "add", "kind": "table", "title": "股东信息", "choices": "姓名"})
    return client, code, url, response


def form_of(code) -> dict:
    return ApprovalItem.objects.get(code=code).definition["form"]


def table_of(code, key="gu_dong_xin_xi") -> dict:
    return form_of(code)["schema"]["properties"][key]


def column_titles(code, key="gu_dong_xin_xi") -> list[str]:
    form = form_of(code)
    return [c["title"] for _k, c in table_columns(table_of(code, key), form["ui_schema"]["fields"].get(key, {}))]


def add_column(client, url, **data):
    return client.post(f"{url}?field=gu_dong_xin_xi", {"op": "add_column", **{f"column-{k}": v for k, v in data.items()}})


def test_a_new_table_opens_in_its_own_editor_with_its_columns_box(shareholders):
    client, code, url, response = shareholders
    assert response.status_code == 302
    assert response["Location"].endswith("?field=gu_dong_xin_xi#field-editor")  # the key made from 股东信息
    page = client.get(url, {"field": "gu_dong_xin_xi"})
    html = page.content.decode()
    assert "表格“股东信息”的列（从左到右）" in html and "添加此列" in html
    kinds = [value for value, _label in page.context["column_form"].fields["kind"].choices[1][1]]
    assert "text" in kinds and "money" in kinds and "table" not in kinds and "upload" not in kinds
    assert "help" not in page.context["column_form"].fields  # a column has no help or visibility of its own
    assert "<th data-column='xing_ming'>姓名</th>" in html  # the preview's header, clickable to edit the column


def test_columns_are_added_with_generated_keys_in_the_tables_box(shareholders):
    client, code, url, _ = shareholders
    response = add_column(client, url, kind="money", title="出资额", required="on")
    assert response.status_code == 302 and response["Location"].endswith("?field=gu_dong_xin_xi#field-editor")
    add_column(client, url, kind="common:id_number", title="身份证号")
    add_column(client, url, kind="choice", title="出资方式", choices="货币\n实物")
    items = table_of(code)["items"]
    assert form_of(code)["ui_schema"]["fields"]["gu_dong_xin_xi"]["columns"] == [
        "xing_ming", "chu_zi_e", "shen_fen_zheng_hao", "chu_zi_fang_shi"]
    assert items["properties"]["chu_zi_e"]["x-field"] == "money" and items["required"] == ["chu_zi_e"]
    assert items["properties"]["shen_fen_zheng_hao"]["x-field"] == "id_number"
    assert items["properties"]["chu_zi_fang_shi"]["enum"] == ["货币", "实物"]
    assert column_titles(code) == ["姓名", "出资额", "身份证号", "出资方式"]
    # the same title again gets a key of its own within the table
    add_column(client, url, kind="money", title="出资额")
    assert "chu_zi_e_2" in table_of(code)["items"]["properties"]
    # a column the palette does not allow in a table is refused, nothing saved
    before = form_of(code)
    refused = add_column(client, url, kind="upload", title="附件")
    assert refused.status_code == 200 and "kind" in refused.context["column_form"].errors
    assert form_of(code) == before


def test_columns_are_renamed_retyped_moved_and_removed(shareholders):
    client, code, url, _ = shareholders
    add_column(client, url, kind="text", title="出资额")
    edit = f"{url}?field=gu_dong_xin_xi&column=chu_zi_e"
    form = client.get(edit).context["edit_form"]
    assert form.initial["kind"] == "text" and "kind" in form.fields
    # retyped to money, renamed: the old type's checks go, the title is the new one, the key stays
    response = client.post(edit, {"op": "edit", "edit-title": "出资额（万元）", "edit-kind": "money",
                                  "edit-maxLength": "100"})
    assert response.status_code == 302 and response["Location"].endswith("?field=gu_dong_xin_xi#field-editor")
    column = table_of(code)["items"]["properties"]["chu_zi_e"]
    assert column == {"title": "出资额（万元）", "x-field": "money", "type": "number", "format": "money", "minimum": 0}
    # to a choice: needs its choices
    refused = client.post(edit, {"op": "edit", "edit-title": "出资额（万元）", "edit-kind": "choice", "edit-choices": ""})
    assert refused.context["edit_form"].errors["choices"] == ["单选、多选须至少填写一个选项"]
    # moved left, then right again
    move = {"op": "move_column", "key": "gu_dong_xin_xi", "column": "chu_zi_e"}
    response = client.post(f"{url}?field=gu_dong_xin_xi", {**move, "direction": "left"})
    assert response.status_code == 302
    assert column_titles(code) == ["出资额（万元）", "姓名"]
    client.post(f"{url}?field=gu_dong_xin_xi", {**move, "direction": "right"})
    assert column_titles(code) == ["姓名", "出资额（万元）"]
    # removed; the last column stays
    client.post(f"{url}?field=gu_dong_xin_xi", {"op": "remove_column", "key": "gu_dong_xin_xi", "column": "xing_ming"})
    assert column_titles(code) == ["出资额（万元）"]
    client.post(f"{url}?field=gu_dong_xin_xi", {"op": "remove_column", "key": "gu_dong_xin_xi", "column": "chu_zi_e"})
    assert column_titles(code) == ["出资额（万元）"]


def test_min_and_max_rows_are_set_on_the_table(shareholders):
    client, code, url, _ = shareholders
    edit = f"{url}?field=gu_dong_xin_xi"
    client.post(edit, {"op": "edit", "edit-title": "股东信息", "edit-minItems": "1", "edit-maxItems": "50"})
    assert (table_of(code)["minItems"], table_of(code)["maxItems"]) == (1, 50)
    refused = client.post(edit, {"op": "edit", "edit-title": "股东信息", "edit-minItems": "5", "edit-maxItems": "2"})
    assert refused.context["edit_form"].errors["maxItems"] == ["不能小于最少行数/项数"]
    assert table_of(code)["maxItems"] == 50
