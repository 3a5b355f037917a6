"""The applicant's repeating table (``render.render_form``): the rows entered come back after a
refusal, at least the minimum of rows is shown, the limits travel to the script, and the rows'
problems are said with the row number and the column's title, never a key."""

from __future__ import annotations

from django.http import QueryDict

from designer.palette import FormValidator
from designer.render import form_data_from_post, render_form

SCHEMA = "https://json-schema.org/draft/2020-12/schema"

SHAREHOLDERS = {
    "schema": {"$schema": SCHEMA, "type": "object", "additionalProperties": False, "required": ["holders"],
               "properties": {"holders": {
                   "title": "股东信息", "x-field": "table", "type": "array", "minItems": 2, "maxItems": 3,
                   "items": {"type": "object", "additionalProperties": False, "required": ["name", "amount"],
                             "properties": {
                                 "name": {"title": "姓名", "x-field": "text", "type": "string", "maxLength": 50},
                                 "amount": {"title": "出资额", "x-field": "money", "type": "number",
                                            "format": "money", "minimum": 0},
                                 "ways": {"title": "出资方式", "x-field": "multi_choice", "type": "array",
                                          "uniqueItems": True, "items": {"type": "string", "enum": ["货币", "实物"]}}}}}}},
    "ui_schema": {"order": ["holders"], "fields": {"holders": {"columns": ["name", "amount", "ways"]}}},
}


def test_the_minimum_of_rows_is_shown_with_the_limits_for_the_script():
    html = render_form(SHAREHOLDERS)
    assert html.count("class='link remove-row'") == 2  # minItems 2: two empty rows
    assert "data-min-rows=\"2\"" in html and "data-max-rows=\"3\"" in html
    assert "<th data-column='name'>姓名<span class=req>*</span></th>" in html


def test_rows_entered_come_back_after_a_refusal_with_their_problems_by_row_and_title():
    post = QueryDict(mutable=True)
    post.update({"holders.0.name": "张三", "holders.0.amount": "100", "holders.1.name": "李四",
                 "holders.2.amount": "-5"})
    post.setlist("holders.0.ways", ["货币", "实物"])
    data = form_data_from_post(SHAREHOLDERS, post)
    assert data["holders"][0] == {"name": "张三", "amount": 100, "ways": ["货币", "实物"]}
    errors = FormValidator(SHAREHOLDERS).errors(data)
    html = render_form(SHAREHOLDERS, data, errors)
    assert html.count("class='link remove-row'") == 3  # every row entered, not one empty row
    assert "value=\"张三\"" in html and "value=\"李四\"" in html and "value=\"-5\"" in html
    assert "value='货币' checked" in html and "value='实物' checked" in html
    assert "第2行：缺少必填项：“出资额”" in html  # the column by its title
    assert "第3行“出资额”：不能小于 0" in html
    assert "“amount”" not in html
