"""Chinese first (issue 14): identifiers generated from Chinese titles, the palette's common
government fields first, duplicating a field, conditions and names shown in Chinese."""

from __future__ import annotations

import re

import pytest

from designer.identifiers import identifier_from_title
from designer.models import ApprovalItem
from designer.palette import PRESETS, palette_choices

from .test_pages import new_item

KEY = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")


@pytest.mark.parametrize(("title", "key"), [
    ("经营场所面积（平方米）", "jing_ying_chang_suo_mian_ji"),
    ("身份证号", "shen_fen_zheng_hao"),
    ("A区 Parking-2", "a_qu_parking_2"),
    ("123", "field_123"),
    ("", "field"),
    ("case", "case_2"),  # reserved for the case facts in rules
])
def test_identifiers_are_ascii_keys_made_from_the_title(title, key):
    assert identifier_from_title(title) == key
    assert KEY.match(key)


def test_identifiers_are_unique_where_they_live_and_stay_short():
    assert identifier_from_title("姓名", {"xing_ming", "xing_ming_2"}) == "xing_ming_3"
    long = identifier_from_title("食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等制度目录清单")
    assert KEY.match(long) and len(long) <= 30 and not long.endswith("_")


def test_the_palette_offers_the_common_government_fields_first():
    (common_label, common), (all_label, _) = palette_choices()
    assert common_label == "常用字段" and all_label == "全部组件"
    assert [label for _, label in common] == ["姓名", "身份证号", "统一社会信用代码", "手机/固话", "地址", "日期",
                                              "金额", "附件"]
    assert len(PRESETS) == 8


@pytest.fixture
def editor(client, demo):
    client.force_login(demo.editor)
    return client


@pytest.mark.django_db
def test_a_field_added_by_title_only_gets_a_generated_key_and_the_preset_checks(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/form/"
    page = editor.get(url).content.decode()
    assert '<optgroup label="常用字段">' in page and "<summary>高级</summary>" in page
    editor.post(url, {"op": "add", "kind": "common:phone", "title": "联系电话", "required": "on"})
    editor.post(url, {"op": "add", "kind": "table", "title": "从业人员", "choices": "姓名\n健康证号"})
    form = ApprovalItem.objects.get(code=code).definition["form"]
    schema = form["schema"]
    phone = schema["properties"]["lian_xi_dian_hua"]
    assert phone["title"] == "联系电话" and phone["x-field"] == "text" and phone["pattern"].startswith("^(1[3-9]")
    assert form["ui_schema"]["fields"]["cong_ye_ren_yuan"]["columns"] == ["xing_ming", "jian_kang_zheng_hao"]


@pytest.mark.django_db
def test_duplicating_a_field_copies_it_after_itself_with_its_condition(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/form/"
    editor.post(url, {"op": "add", "kind": "choice", "title": "经营类型", "choices": "餐饮\n零售"})
    editor.post(url, {"op": "add", "kind": "number", "title": "座位数", "required": "on",
                      "visible_if": '{"==": [{"var": "jing_ying_lei_xing"}, "餐饮"]}'})
    editor.post(url, {"op": "duplicate", "key": "zuo_wei_shu"})
    form = ApprovalItem.objects.get(code=code).definition["form"]
    assert form["ui_schema"]["order"][-2:] == ["zuo_wei_shu", "zuo_wei_shu_fu_ben"]
    copy = form["schema"]["properties"]["zuo_wei_shu_fu_ben"]
    assert copy["title"] == "座位数（副本）" and copy["x-field"] == "number"
    assert "zuo_wei_shu_fu_ben" in form["schema"]["required"]
    assert form["ui_schema"]["fields"]["zuo_wei_shu_fu_ben"]["visible_if"] == {
        "==": [{"var": "jing_ying_lei_xing"}, "餐饮"]}
    page = editor.get(url).content.decode()
    assert "经营类型等于“餐饮”" in page  # the condition in words, not JSON


@pytest.mark.django_db
def test_a_step_added_by_name_gets_its_key_and_the_table_names_steps_in_chinese(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/workflow/"
    response = editor.post(url + "?step=", {
        "op": "step", "name": "现场核查", "type": "handle", "role": "handler", "limit_days": "3",
        "actions": ["approve", "return"], "return_to": ["handle"], "after": "handle",
        "t-TOTAL_FORMS": "0", "t-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:3000]
    steps = ApprovalItem.objects.get(code=code).definition["workflow"]["steps"]
    assert [s["key"] for s in steps if s["name"] == "现场核查"] == ["xian_chang_he_cha"]
    page = editor.get(url).content.decode()
    assert "<td>现场核查</td>" in page and "→ 现场核查" in page
