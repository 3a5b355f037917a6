"""Stages in the materials and workflow pages, and the form-based step editor."""

from __future__ import annotations

import json
import re

import pytest

from designer import editing
from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db

WORK = ["approve", "return", "reject", "request_correction"]


@pytest.fixture
def editor(client, demo):
    client.force_login(demo.editor)
    return client


def new_item(editor) -> str:
    editor.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "小餐饮登记"})
    return ApprovalItem.objects.get(name="小餐饮登记").code


def definition(code) -> dict:
    return ApprovalItem.objects.get(code=code).definition


def steps_of(workflow) -> dict:
    return {s["key"]: s for s in workflow["steps"]}


def drawn_steps(page: str) -> list[str]:
    return re.findall(r'<li class="flow-node[^"]*" data-step="([a-z0-9_]+)">', page)


def step_data(key, type_, name, *, role="", department="", limit_days="", actions=(), return_to=(),
              transitions=(), after="", is_start=False) -> dict:
    data = {"op": "step", "key": key, "type": type_, "name": name, "role": role, "department": department,
            "limit_days": limit_days, "actions": list(actions), "return_to": list(return_to), "after": after,
            "t-TOTAL_FORMS": str(len(transitions)), "t-INITIAL_FORMS": "0", "t-MIN_NUM_FORMS": "0",
            "t-MAX_NUM_FORMS": "1000"}
    if is_start:
        data["is_start"] = "on"
    for i, (to, label, when) in enumerate(transitions):
        data.update({f"t-{i}-to": to, f"t-{i}-label": label, f"t-{i}-when": json.dumps(when) if when else ""})
    return data


# --- Stages ---------------------------------------------------------------------------------

@pytest.fixture
def wj_editor(client, demo):
    client.force_login(demo.multi)  # item editor of 卫生健康局
    return client


STAGED = "/designer/items/JB-WJ-XK-0001"


def test_materials_page_switches_between_stages_and_edits_the_chosen_one(wj_editor):
    response = wj_editor.get(f"{STAGED}/materials/")
    assert response.context["unit"].code == "01"  # a staged item opens on its first stage
    page = response.content.decode()
    assert "阶段02 变更" in page and "阶段03 延续" in page
    response = wj_editor.get(f"{STAGED}/materials/", {"unit": "02"})
    assert [m["key"] for m in response.context["materials"]] == ["application", "identity", "old_licence"]
    assert 'aria-current="page">阶段02 变更' in response.content.decode()
    before = definition("JB-WJ-XK-0001")
    response = wj_editor.post(f"{STAGED}/materials/?unit=02", {
        "op": "add", "key": "change_proof", "name": "变更事项的证明材料", "required": "on", "original": "copy",
        "copies": 1, "medium": "either", "file_types": ["pdf"], "max_size_mb": 10})
    assert response.status_code == 302 and response["Location"].endswith("/materials/?unit=02")
    after = definition("JB-WJ-XK-0001")
    assert [m["key"] for m in after["stages"][1]["materials"]] == ["application", "identity", "old_licence",
                                                                   "change_proof"]
    assert after["stages"][0] == before["stages"][0] and after["stages"][2] == before["stages"][2]
    wj_editor.post(f"{STAGED}/materials/?unit=02", {"op": "remove", "key": "identity"})
    assert "identity" not in [m["key"] for m in definition("JB-WJ-XK-0001")["stages"][1]["materials"]]
    assert "identity" in [m["key"] for m in definition("JB-WJ-XK-0001")["stages"][0]["materials"]]
    assert wj_editor.get(f"{STAGED}/materials/", {"unit": "09"}).status_code == 404


def test_workflow_page_shows_and_saves_the_chosen_stage(wj_editor):
    page = wj_editor.get(f"{STAGED}/workflow/", {"unit": "02"}).content.decode()
    assert drawn_steps(page) and sorted(drawn_steps(page)) == ["accept", "decide", "examine", "issue"]
    stage = definition("JB-WJ-XK-0001")["stages"][1]
    workflow = json.loads(json.dumps(stage["workflow"]))
    steps_of(workflow)["examine"]["name"] = "书面审查"
    response = wj_editor.post(f"{STAGED}/workflow/?unit=02", {"op": "json", "document": json.dumps(workflow)})
    assert response.status_code == 302
    saved = definition("JB-WJ-XK-0001")
    assert steps_of(saved["stages"][1]["workflow"])["examine"]["name"] == "书面审查"
    assert steps_of(saved["stages"][0]["workflow"])["examine"]["name"] != "书面审查"
    # A refused stage workflow names the stage's path and saves nothing.
    steps_of(workflow)["examine"]["return_to"] = ["decide"]
    steps_of(workflow)["examine"]["actions"] = sorted(set(steps_of(workflow)["examine"]["actions"]) | {"return"})
    response = wj_editor.post(f"{STAGED}/workflow/?unit=02", {"op": "json", "document": json.dumps(workflow)})
    assert "$.stages[1].workflow.steps[1].return_to[0]" in response.content.decode()
    assert definition("JB-WJ-XK-0001") == saved


# --- Step editor ----------------------------------------------------------------------------

def test_step_editor_adds_a_step_after_another_and_the_flowchart_shows_it(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/workflow/"
    page = editor.get(url, {"step": ""}).content.decode()
    assert "添加步骤" in page and 'name="t-TOTAL_FORMS"' in page
    response = editor.post(f"{url}?step=", step_data(
        "inspect", "handle", "现场核查", role="handler", limit_days=2, actions=WORK, return_to=["handle"],
        after="handle"))
    assert response.status_code == 302
    steps = steps_of(definition(code)["workflow"])
    assert steps["handle"]["transitions"] == [{"to": "inspect"}]
    assert steps["inspect"] == {"key": "inspect", "type": "handle", "name": "现场核查", "role": "handler",
                                "department": None, "limit_days": 2, "actions": WORK, "return_to": ["handle"],
                                "transitions": [{"to": "review"}]}
    page = editor.get(url).content.decode()
    assert "inspect" in drawn_steps(page) and len(drawn_steps(page)) == 6 and "现场核查" in page


def test_step_editor_refuses_a_forward_return_and_a_rule_on_a_missing_field(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/workflow/"
    before = definition(code)
    response = editor.post(f"{url}?step=handle", step_data(
        "handle", "handle", "承办", role="handler", limit_days=2, actions=WORK, return_to=["decide"],
        transitions=[("review", "", None)]))
    page = response.content.decode()
    assert "$.workflow.steps[1].return_to[0]" in page and "退回只能指向之前的步骤" in page
    response = editor.post(f"{url}?step=review", step_data(
        "review", "review", "审核", role="section_chief", limit_days=1, actions=WORK, return_to=["handle"],
        transitions=[("done", "简易程序", {"==": [{"var": "nothing"}, "x"]}), ("decide", "", None)]))
    page = response.content.decode()
    assert "$.workflow.steps[2].transitions[0].when" in page and "变量“nothing”不存在" in page
    # the form keeps what was typed
    assert response.context["transitions"].forms[0]["label"].value() == "简易程序"
    assert definition(code) == before


def test_step_editor_edits_transitions_with_conditions_and_renames_a_step(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/workflow/"
    form = editor.get(url, {"step": "review"}).context["step_form"]
    assert form.initial["role"] == "section_chief" and form.initial["return_to"] == ["handle"]
    condition = {"==": [{"var": "applicant_name"}, "江滨区示范餐饮店"]}
    response = editor.post(f"{url}?step=review", step_data(
        "check", "review", "审核", role="section_chief", limit_days=1, actions=WORK, return_to=["handle"],
        transitions=[("done", "简易程序", condition), ("decide", "", None)]))
    assert response.status_code == 302
    steps = steps_of(definition(code)["workflow"])
    assert "review" not in steps
    assert steps["check"]["transitions"] == [{"to": "done", "label": "简易程序", "when": condition},
                                             {"to": "decide"}]
    assert steps["handle"]["transitions"] == [{"to": "check"}]  # references follow the new key
    assert steps["decide"]["return_to"] == ["handle", "check"]
    assert "check" in drawn_steps(editor.get(url).content.decode())


def test_step_editor_removes_a_step_and_bridges_the_flow(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/workflow/"
    response = editor.post(url, {"op": "remove_step", "key": "review"})
    assert response.status_code == 302
    workflow = definition(code)["workflow"]
    steps = steps_of(workflow)
    assert "review" not in steps and steps["handle"]["transitions"] == [{"to": "decide"}]
    assert steps["decide"]["return_to"] == ["handle"]
    # The start step can go too: the next one becomes the start, returns to it are dropped.
    editor.post(url, {"op": "remove_step", "key": "accept"})
    workflow = definition(code)["workflow"]
    assert workflow["start"] == "handle" and "return" not in steps_of(workflow)["handle"]["actions"]
    # Removing a step the rest cannot do without is refused whole.
    before = definition(code)
    response = editor.post(url, {"op": "remove_step", "key": "done"})
    assert "目标步骤“done”不存在" in response.content.decode() and definition(code) == before
    assert editor.get(url, {"step": "nothing"}).status_code == 404


def test_put_step_keeps_a_department_rule_the_form_does_not_edit():
    workflow = {"start": "a", "steps": [
        {"key": "a", "type": "handle", "name": "承办", "role": "handler", "department": None,
         "department_rule": {"var": "district"}, "limit_days": 1, "actions": ["approve"], "transitions": [{"to": "b"}]},
        {"key": "b", "type": "complete", "name": "办结", "role": "window_clerk", "department": None,
         "limit_days": 1, "actions": ["complete"], "transitions": []}]}
    changed = editing.workflow_put_step(workflow, original_key="a", step={**workflow["steps"][0], "name": "承办人"})
    assert changed["steps"][0]["department_rule"] == {"var": "district"}
    assert workflow["steps"][0]["name"] == "承办"  # the input is not changed


def test_preview_lists_the_materials_of_the_chosen_stage(wj_editor):
    response = wj_editor.post(f"{STAGED}/preview/?unit=02", {})
    needed = [m["key"] for m in response.context["needed"]]
    assert "old_licence" in needed and "plans" not in needed
    needed = [m["key"] for m in wj_editor.post(f"{STAGED}/preview/", {}).context["needed"]]
    assert "plans" in needed and "old_licence" not in needed


# --- Stages page ----------------------------------------------------------------------------

STAGE = {"name": "变更", "legal_basis": "《中华人民共和国食品安全法》第三十五条", "statutory_limit_days": 10,
         "promised_limit_days": 5, "fees": "不收费"}


def test_splitting_an_item_into_stages_and_back(editor):
    code = new_item(editor)
    url = f"/designer/items/{code}/stages/"
    editor.post(f"/designer/items/{code}/materials/", {
        "op": "add", "key": "licence", "name": "营业执照", "required": "on", "original": "copy", "copies": 1,
        "medium": "either", "file_types": ["pdf"], "max_size_mb": 10})
    before = definition(code)
    assert "现有材料和流程所属阶段（阶段01）的名称" in editor.get(url).content.decode()
    response = editor.post(url, {"op": "add", "first_name": "设立", **STAGE})
    assert response.status_code == 302
    doc = definition(code)
    assert doc["materials"] == [] and doc["workflow"] is None
    assert [(s["code"], s["name"]) for s in doc["stages"]] == [("01", "设立"), ("02", "变更")]
    assert doc["stages"][0]["materials"] == before["materials"] and doc["stages"][0]["workflow"] == before["workflow"]
    assert doc["stages"][0]["statutory_limit_days"] == before["statutory_limit_days"]
    assert doc["stages"][1]["materials"] == before["materials"]  # copied from stage 01
    # the materials page now switches between the two stages
    page = editor.get(f"/designer/items/{code}/materials/").content.decode()
    assert "阶段01 设立" in page and "阶段02 变更" in page
    # edit a stage's facts; a promised limit above the statutory one is refused at the stage's path
    response = editor.post(f"{url}?stage=02", {"op": "edit", **STAGE, "promised_limit_days": 15})
    assert "$.stages[1].promised_limit_days" in response.content.decode()
    editor.post(f"{url}?stage=02", {"op": "edit", **STAGE, "name": "变更登记"})
    assert definition(code)["stages"][1]["name"] == "变更登记"
    # removing stages: the last one left gives its materials and workflow back to the item
    editor.post(url, {"op": "remove", "stage": "01"})
    editor.post(url, {"op": "remove", "stage": "02"})
    doc = definition(code)
    assert doc["stages"] == [] and doc["materials"] == before["materials"] and doc["workflow"] == before["workflow"]


def test_adding_a_stage_copies_the_chosen_stage(wj_editor):
    # a 补领 stage (a new 新发 stage copying 变更 would lack the 核定容纳人数 the licence prints: refused)
    refused = wj_editor.post(f"{STAGED}/stages/", {"op": "add", "copy_from": "02", **STAGE, "name": "补领"})
    assert "$.public.certificate.particulars[5].path" in refused.content.decode()
    response = wj_editor.post(f"{STAGED}/stages/", {"op": "add", "copy_from": "02", **STAGE, "name": "补领",
                                                   "certificate_operation": "reissue"})
    assert response.status_code == 302
    stages = definition("JB-WJ-XK-0001")["stages"]
    assert [s["code"] for s in stages] == ["01", "02", "03", "04", "05"]
    assert stages[4]["workflow"] == stages[1]["workflow"] and stages[4]["materials"] == stages[1]["materials"]
    assert stages[4]["certificate_action"] == {"operation": "reissue"}
    assert wj_editor.get(f"{STAGED}/stages/", {"stage": "09"}).status_code == 404
