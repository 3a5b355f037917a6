"""Officers' decision forms built with the same form builder as the application form
(``/form/?unit=&decision=<step>``): plain fields only, keys generated from the Chinese titles, the
condition builder then offering them by title; the JSON stays under the step's 高级 and is kept."""

from __future__ import annotations

import copy
import json

import pytest

from designer import services
from designer.models import ApprovalItem

from .test_workflow_pages import new_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(client, demo):
    client.force_login(demo.editor)
    code = new_item(client)
    return client, code, f"/designer/items/{code}/form/?decision=handle"


def handle_step(code) -> dict:
    return next(s for s in ApprovalItem.objects.get(code=code).definition["workflow"]["steps"] if s["key"] == "handle")


def test_the_builder_edits_a_steps_decision_form_with_a_plain_palette(item):
    client, code, url = item
    page = client.get(url)
    html = page.content.decode()
    assert "决定事项表单：步骤“承办”" in html and "尚未设置决定事项" in html and "返回流程中的此步骤" in html
    kinds = [v for _group, options in page.context["add_form"].fields["kind"].choices for v, _label in options]
    assert "choice" in kinds and "number" in kinds
    assert not {"table", "upload", "common:upload"} & set(kinds)
    assert "table" not in page.context["add_form"].fields  # no table to put a column in
    assert "decision_form" not in handle_step(code)  # looking stores nothing

    response = client.post(url, {"op": "add", "kind": "choice", "title": "现场核查结论", "required": "on",
                                 "choices": "符合要求\n不符合要求"})
    assert response.status_code == 302
    client.post(url, {"op": "add", "kind": "number", "title": "核定面积（平方米）"})
    form = handle_step(code)["decision_form"]
    assert form["ui_schema"]["order"] == ["xian_chang_he_cha_jie_lun", "he_ding_mian_ji_ping_fang_mi"]
    assert form["schema"]["required"] == ["xian_chang_he_cha_jie_lun"]
    assert form["schema"]["properties"]["xian_chang_he_cha_jie_lun"]["enum"] == ["符合要求", "不符合要求"]
    assert "核定面积（平方米）" in client.get(url).content.decode()  # the preview: what the officer fills

    # the condition builder of a later step offers them by the step's name and the field's title
    variables = client.get(f"/designer/items/{code}/rule-variables/", {"for": "transition", "step": "review"}).json()
    offered = {v["name"]: v for v in variables["variables"]}
    assert offered["decision.handle.xian_chang_he_cha_jie_lun"]["label"] == "承办·现场核查结论"
    assert offered["decision.handle.xian_chang_he_cha_jie_lun"]["choices"] == ["符合要求", "不符合要求"]

    # edited like any field; the last one removed takes the decision form with it
    client.post(f"{url}&field=he_ding_mian_ji_ping_fang_mi", {"op": "edit", "edit-title": "核定面积", "edit-minimum": "1"})
    assert handle_step(code)["decision_form"]["schema"]["properties"]["he_ding_mian_ji_ping_fang_mi"]["minimum"] == 1
    client.post(url, {"op": "remove", "key": "he_ding_mian_ji_ping_fang_mi"})
    client.post(url, {"op": "remove", "key": "xian_chang_he_cha_jie_lun"})
    assert "decision_form" not in handle_step(code)


def test_a_refused_decision_field_saves_nothing_and_unknown_steps_are_404(item):
    client, code, url = item
    client.post(url, {"op": "add", "kind": "number", "title": "核定面积"})
    before = copy.deepcopy(handle_step(code))
    refused = client.post(url, {"op": "add", "kind": "table", "title": "人员", "choices": "姓名"})
    assert "kind" in refused.context["add_form"].errors
    assert handle_step(code) == before
    assert client.get(f"/designer/items/{code}/form/?decision=nothing").status_code == 404
    assert client.get(f"/designer/items/{code}/form/?decision=handle&unit=09").status_code == 404


def test_the_step_panel_links_the_builder_and_keeps_the_json_under_advanced(item):
    client, code, url = item
    client.post(url, {"op": "add", "kind": "choice", "title": "现场核查结论", "choices": "符合要求\n不符合要求"})
    step_url = f"/designer/items/{code}/workflow/?step=handle"
    html = client.get(step_url).content.decode()
    assert "决定事项（办理人员随意见一并填写）" in html and "现场核查结论" in html
    assert f'href="/designer/items/{code}/form/?decision=handle">修改决定事项</a>' in html
    advanced = html[html.index('<details class="advanced"'):]
    advanced = advanced[:advanced.index("</details>")]
    assert 'name="decision_form"' in advanced  # the JSON only under 高级
    # a step of the system (the parallel pair, an end) has none; a step being added links nothing yet
    assert "保存步骤后，可在这里用表单设计器设置决定事项" in client.get(
        f"/designer/items/{code}/workflow/?step=").content.decode()


def test_what_the_builder_does_not_show_is_kept_exactly(item, demo):
    """A decision form written as JSON with things the builder has no control for (a
    description, a placeholder) keeps them when another field is edited in the builder and when
    the step panel is saved without touching the JSON."""
    client, code, url = item
    unusual = {"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                          "additionalProperties": False, "required": [],
                          "properties": {"note": {"title": "核查说明", "x-field": "textarea", "type": "string",
                                                  "maxLength": 300, "description": "写明核查过程"},
                                         "area": {"title": "核定面积", "x-field": "number", "type": "number"}}},
               "ui_schema": {"order": ["note", "area"], "fields": {"note": {"placeholder": "如：经现场核查……"}}}}
    item_row = ApprovalItem.objects.get(code=code)
    doc = copy.deepcopy(item_row.definition)
    next(s for s in doc["workflow"]["steps"] if s["key"] == "handle")["decision_form"] = unusual
    services.item_update(actor=demo.editor, item=item_row, definition=doc)
    client.post(f"{url}&field=area", {"op": "edit", "edit-title": "核定面积（平方米）"})
    kept = handle_step(code)["decision_form"]
    assert kept["schema"]["properties"]["note"] == unusual["schema"]["properties"]["note"]
    assert kept["ui_schema"]["fields"]["note"] == {"placeholder": "如：经现场核查……"}
    # the step panel posts back the JSON it showed under 高级: unchanged
    page = client.get(f"/designer/items/{code}/workflow/?step=handle")
    shown = page.context["step_form"].initial["decision_form"]
    assert json.loads(shown) == kept
