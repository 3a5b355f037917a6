"""Step types' own settings (designer.steps.StepSetting): the countersign's number of signers, the
special procedure's kind and days — validated by the entry, edited in the step editor."""

from __future__ import annotations

import copy

import pytest

from core.errors import InvalidInput
from designer import services
from designer.models import ApprovalItem
from designer.steps import step_settings, step_types
from designer.validation import definition_problems, published_schema

from .test_workflow_pages import WORK, definition, new_item, step_data, steps_of

pytestmark = pytest.mark.django_db


def countersign(key="inspect", signers=2, **extra) -> dict:
    return {"key": key, "type": "countersign", "name": "现场核查会签", "role": "handler", "department": None,
            "limit_days": 2, "actions": ["approve", "return"], "return_to": ["handle"], "signers": signers,
            "transitions": [{"to": "review"}], **extra}


def with_countersign(workflow: dict, step: dict) -> tuple[dict, int]:
    """The workflow with ``step`` put between 承办 (handle) and what followed it; and its index."""
    workflow = copy.deepcopy(workflow)
    handle = steps_of(workflow)["handle"]
    step = {**step, "transitions": handle["transitions"]}
    handle["transitions"] = [{"to": step["key"]}]
    index = [s["key"] for s in workflow["steps"]].index("handle") + 1
    workflow["steps"].insert(index, step)
    return workflow, index


def test_each_setting_schema_is_the_published_workflow_schema():
    properties = published_schema("workflow")["$defs"]["step"]["properties"]
    for key, (setting, _owner) in step_settings().items():
        published = {k: v for k, v in properties[key].items() if k != "description"}
        assert published == setting.schema, key


def test_a_countersign_of_fewer_than_two_signers_is_refused_whole_with_its_path(demo):
    item = ApprovalItem.objects.get(code=new_item_code(demo))
    before = copy.deepcopy(item.definition)
    doc = copy.deepcopy(before)
    doc["workflow"], i = with_countersign(doc["workflow"], countersign(signers=1))
    with pytest.raises(InvalidInput) as caught:
        services.item_update(actor=demo.editor, item=item, definition=doc)
    assert caught.value.details == {f"$.workflow.steps[{i}].signers": ["不能小于 2"]}
    assert "未保存任何修改" in caught.value.message
    item.refresh_from_db()
    assert item.definition == before

    doc["workflow"], i = with_countersign(before["workflow"], countersign(signers=2))
    services.item_update(actor=demo.editor, item=item, definition=doc)
    item.refresh_from_db()
    assert steps_of(item.definition["workflow"])["inspect"]["signers"] == 2


def test_a_stage_countersign_is_named_by_the_stage_path(demo):
    item = ApprovalItem.objects.get(code="JB-WJ-XK-0001")
    before = copy.deepcopy(item.definition)
    doc = copy.deepcopy(before)
    stage = doc["stages"][1]
    step = countersign(key="examine_more", role="handler", return_to=[], actions=["approve"], signers=0)
    stage["workflow"]["steps"].insert(2, {**step, "transitions": [{"to": "decide"}]})
    with pytest.raises(InvalidInput) as caught:
        services.item_update(actor=demo.multi, item=item, definition=doc)
    assert "$.stages[1].workflow.steps[2].signers" in caught.value.details
    item.refresh_from_db()
    assert item.definition == before


def test_settings_belong_to_their_step_type(demo):
    doc = copy.deepcopy(ApprovalItem.objects.get(code=new_item_code(demo)).definition)
    workflow = doc["workflow"]
    index = [s["key"] for s in workflow["steps"]].index("review")
    steps_of(workflow)["review"]["signers"] = 2
    doc["workflow"], i = with_countersign(workflow, {k: v for k, v in countersign().items() if k != "signers"})
    problems = dict(definition_problems(doc))
    assert problems[f"$.workflow.steps[{i}].signers"] == ["会签步骤须设定需签署的人数（至少2人）"]
    assert problems[f"$.workflow.steps[{index + 1}].signers"] == [
        "只有“会签”步骤可以设置会签人数（不同人员签署，至少2人）"]


def test_the_step_editor_sets_the_number_of_signers(client, demo):
    client.force_login(demo.editor)
    code = new_item(client)
    url = f"/designer/items/{code}/workflow/"
    page = client.get(url, {"step": ""}).content.decode()
    # the type is offered by its Chinese name only (issue 14: no “会签（countersign）”)
    assert '<option value="countersign">会签</option>' in page and "（countersign）" not in page
    assert "会签人数（不同人员签署，至少2人）（仅“会签”步骤）" in page
    data = step_data("inspect", "countersign", "现场核查会签", role="handler", limit_days=2, actions=WORK,
                     return_to=["handle"], after="handle")
    response = client.post(f"{url}?step=", {**data, "signers": "3", "expected_days": "5"})
    assert response.status_code == 302
    inspect = steps_of(definition(code)["workflow"])["inspect"]
    assert inspect["signers"] == 3 and "expected_days" not in inspect  # another type's setting is not kept
    page = client.get(url).content.decode()
    assert "会签 · 3人签署 · 2个工作日" in page
    assert client.get(url, {"step": "inspect"}).context["step_form"].initial["signers"] == 3


def new_item_code(demo) -> str:
    item = services.item_create(actor=demo.editor, department=demo.department("JB-SCJG"), item_type="XK",
                                name="小餐饮登记")
    return item.code


def test_every_step_type_is_offered_in_the_editor():
    from designer.forms import StepForm

    assert [k for k, _ in StepForm().fields["type"].choices] == list(step_types)
