"""The workflow editor's vertical flow: branches laid out as lanes, "+" menus that add steps,
special procedures and parallel approvals, and validation problems shown on their step."""

from __future__ import annotations

import re

import pytest

from designer import editing
from designer.flow import FlowBranch, flow_layout, problems_by_step
from designer.models import ApprovalItem

from .factories import sample_workflow
from .test_workflow_pages import definition, new_item, step_data, steps_of

pytestmark = pytest.mark.django_db


def layout(workflow, problems=None):
    return flow_layout(workflow, describe_step=lambda s: [], describe_condition=lambda w: "条件",
                       problems=problems)


def test_parallel_branch_laid_out_as_lanes_that_meet_at_the_join():
    items = layout(sample_workflow())
    keys = [i.key if i.is_node else "branch" for i in items]
    assert keys == ["accept", "handle", "split", "branch", "join", "review", "decide", "done"]
    branch = items[3]
    assert isinstance(branch, FlowBranch) and branch.kind == "parallel"
    assert [[n.key for n in lane.items] for lane in branch.lanes] == [["health"], ["planning"]]


def test_condition_branch_lanes_and_a_lane_going_straight_on():
    workflow = sample_workflow()
    steps_of(workflow)["handle"]["transitions"] = [{"to": "split", "when": {"==": [{"var": "a"}, 1]}, "label": "需会签"},
                                                   {"to": "review"}]
    items = layout(workflow)
    branch = items[2]
    assert branch.kind == "condition" and branch.owner == "handle"
    assert branch.lanes[0].label == "需会签" and branch.lanes[0].condition == "条件"
    assert branch.lanes[1].items == [] and branch.lanes[1].goes_to == "审核"
    assert [i.key for i in items[3:] if i.is_node] == ["review", "decide", "done"]


def test_every_step_is_shown_even_when_unreachable():
    workflow = sample_workflow()
    workflow["steps"].append({"key": "lost", "type": "handle", "name": "孤立步骤", "transitions": []})
    assert layout(workflow)[-1].key == "lost"


def test_problems_attached_to_the_step_they_concern():
    workflow = sample_workflow()
    problems = {"$.stages[1].workflow.steps[1].transitions[0].when": ["条件引用了不存在的字段"],
                "$.workflow.steps[1]": ["别的单元"]}
    assert problems_by_step(problems, workflow, unit_prefix="$.stages[1]") == {"handle": ["条件引用了不存在的字段"]}


def test_insert_parallel_after_a_step_joins_where_it_went_on():
    workflow = editing.workflow_insert_parallel(sample_workflow(), after="review",
                                                departments=[("JB-WJ", "卫健局"), ("JB-ZJ", "住建局")])
    steps = steps_of(workflow)
    branch = steps[steps["review"]["transitions"][0]["to"]]
    assert branch["type"] == "parallel_branch"
    lanes = [steps[t["to"]] for t in branch["transitions"]]
    assert [lane["department"] for lane in lanes] == ["JB-WJ", "JB-ZJ"]
    join = steps[lanes[0]["transitions"][0]["to"]]
    assert join["type"] == "parallel_join" and join["transitions"] == [{"to": "decide"}]
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in steps)


@pytest.fixture
def editor(client, demo):
    client.force_login(demo.editor)
    return client


def test_page_draws_the_flow_with_plus_menus(editor):
    code = new_item(editor)
    page = editor.get(f"/designer/items/{code}/workflow/").content.decode()
    assert 'class="flow"' in page and "添加并联审批" in page and "添加特殊程序" in page
    first = definition(code)["workflow"]["start"]
    page = editor.get(f"/designer/items/{code}/workflow/?step=&after={first}&type=special_procedure").content.decode()
    assert re.search(r'<option value="special_procedure" selected>', page)
    assert re.search(rf'<option value="{first}" selected>', page)


def test_adding_a_parallel_approval_from_the_plus_menu(editor):
    code = new_item(editor)
    first = definition(code)["workflow"]["start"]
    response = editor.post(f"/designer/items/{code}/workflow/",
                           {"op": "add_parallel", "after": first, "departments": ["JB-WJ", "JB-ZJ"]})
    assert response.status_code == 302
    types = [s["type"] for s in definition(code)["workflow"]["steps"]]
    assert "parallel_branch" in types and "parallel_join" in types
    page = editor.get(f"/designer/items/{code}/workflow/").content.decode()
    assert "并联审批：各分支同时办理" in page


def test_adding_a_parallel_approval_needs_two_departments(editor):
    code = new_item(editor)
    before = definition(code)
    first = before["workflow"]["start"]
    page = editor.post(f"/designer/items/{code}/workflow/", {"op": "add_parallel", "after": first,
                                                             "departments": ["JB-WJ"]}, follow=True).content.decode()
    assert "并联审批至少选择两个部门" in page
    assert definition(code) == before


def test_refused_step_shows_its_problem_on_the_node(editor):
    code = new_item(editor)
    first = definition(code)["workflow"]["start"]
    # a 承办 step with no way on cannot end the workflow: refused, the message sits on that node
    data = step_data("", "handle", "现场核查", role="handler", limit_days="2", actions=["approve"])
    data["after"] = ""
    page = editor.post(f"/designer/items/{code}/workflow/?step=", data).content.decode()
    assert ApprovalItem.objects.get(code=code).definition == definition(code)
    node = re.search(r'<li class="flow-node kind-end has-problems[^"]*" data-step="[^"]+">(.*?)</li>\s*</ul>',
                     page, re.S)
    assert node and "现场核查" in node.group(1) and "不能作为结束步骤" in node.group(1)
    assert first in page


# --- Form builder: drag to reorder ------------------------------------------------------------

def test_a_dragged_field_is_put_before_the_one_it_is_dropped_on(editor):
    from designer.models import ApprovalItem

    code = "JB-SCJG-XK-0001"
    order = ApprovalItem.objects.get(code=code).definition["form"]["ui_schema"]["order"]
    last, first = order[-1], order[0]
    response = editor.post(f"/designer/items/{code}/form/", {"op": "move", "key": last, "before": first})
    assert response.status_code == 302
    moved = ApprovalItem.objects.get(code=code).definition["form"]["ui_schema"]["order"]
    assert moved[0] == last and moved[1:] == order[:-1]
    editor.post(f"/designer/items/{code}/form/", {"op": "move", "key": last, "before": ""})
    assert ApprovalItem.objects.get(code=code).definition["form"]["ui_schema"]["order"] == order


def test_form_builder_rows_draggable_and_preview_editable(editor):
    page = editor.get("/designer/items/JB-SCJG-XK-0001/form/").content.decode()
    assert 'draggable="true" data-field-row=' in page and 'id="drag-move"' in page
    assert 'data-edit-url="?field="' in page and "designer/form_builder.js" in page
