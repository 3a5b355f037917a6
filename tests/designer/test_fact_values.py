"""Case facts whose values are a known set (states, departments, items, the item's steps) are
offered by the condition builder as lists of Chinese names, from the rules' one registry of value
lists (``rules.facts.fact_values``); rules on them read in words; validation allows only the
values of a closed list (the case states)."""

from __future__ import annotations

import pytest

from rules import RuleInvalid, builder, rule_variables, validate_rule
from rules.facts import fact_values

from .test_rule_inputs import CODE, editor, variables_on  # noqa: F401  (editor is a fixture)

pytestmark = pytest.mark.django_db


def test_the_workflow_page_offers_states_departments_items_and_steps_by_chinese_name(editor):  # noqa: F811
    page = editor.get(f"/designer/items/{CODE}/workflow/?step=examine").content.decode()
    variables = variables_on(page)
    state = variables["case.state"]
    assert "in_progress" in state["choices"] and state["choice_labels"]["in_progress"] == "办理中"
    assert state["choice_labels"]["suspended"] == "特殊程序中"
    department = variables["case.department"]
    assert department["choice_labels"]["JB-WJ"] == "江滨区卫生健康局" and "JB" not in department["choices"]
    assert variables["case.item"]["choice_labels"][CODE]  # the item's name
    step = variables["case.step"]
    assert step["choice_labels"]["examine"] and set(step["choices"]) >= {"examine"}
    assert all(label != key for key, label in step["choice_labels"].items())  # titles, not keys


def test_a_rule_on_a_listed_fact_reads_in_chinese_words(editor):  # noqa: F811
    from designer.models import ApprovalItem
    from designer.selectors import rule_builder_variables

    doc = ApprovalItem.objects.get(code=CODE).definition
    variables = {v["name"]: v for v in rule_builder_variables(doc, doc, every_decision=True)}
    rule = {"and": [{"==": [{"var": "case.state"}, "in_progress"]},
                    {"in": [{"var": "case.department"}, ["JB-WJ", "JB-ZJ"]]}]}
    assert builder.describe(rule, variables) == \
        "办件状态等于“办理中”，并且承办部门属于其中之一：“江滨区卫生健康局”、“江滨区住房和城乡建设局”"


def test_validation_allows_only_the_states_the_runtime_defines():
    validate_rule({"==": [{"var": "case.state"}, "in_progress"]}, variables=rule_variables())
    with pytest.raises(RuleInvalid) as refused:
        validate_rule({"==": [{"var": "case.state"}, "open"]}, variables=rule_variables())
    (message,) = [m for messages in refused.value.details.values() for m in messages]
    assert "“open”不是“办件状态”的可选值" in message and "办理中（in_progress）" in message


def test_open_lists_leave_validation_alone():
    # departments and steps follow the data: a rule naming one not (yet) listed is not refused
    validate_rule({"==": [{"var": "case.department"}, "JB-NEW"]}, variables=rule_variables())
    validate_rule({"==": [{"var": "case.step"}, "anything"]}, variables=rule_variables())
    assert not fact_values.get("case.department").closed and fact_values.get("case.state").closed
