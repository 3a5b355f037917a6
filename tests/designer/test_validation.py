"""Whole-definition validation: each bad input named by its path, in Chinese."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from designer.validation import definition_problems, validate_definition

from .factories import sample_definition, spoil, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(demo):
    return demo


def problems_of(doc) -> dict:
    return dict(definition_problems(doc))


def test_the_sample_definition_is_valid(org):
    validate_definition(sample_definition())


def test_invalid_json_schema_is_refused_with_its_path(org):
    doc = spoil(sample_definition(), lambda d: d["form"]["schema"]["properties"]["company"].update(maxLength=-3))
    problems = problems_of(doc)
    assert "$.form.schema.properties.company.maxLength" in problems
    assert problems["$.form.schema.properties.company.maxLength"][0].startswith("不是有效的 JSON Schema")


def test_field_outside_the_palette_is_refused(org):
    doc = spoil(sample_definition(), lambda d: d["form"]["schema"]["properties"]["company"].update(type="integer"))
    problems = problems_of(doc)
    assert any("单行文本" in m for m in problems["$.form.schema.properties.company.type"])


def test_unknown_field_type_is_refused(org):
    doc = spoil(sample_definition(), lambda d: d["form"]["schema"]["properties"]["company"].update(
        {"x-field": "signature"}))
    assert problems_of(doc)["$.form.schema.properties.company.x-field"] == ["字段类型“signature”不在表单组件库中"]


def test_table_column_must_come_from_the_palette(org):
    def change(d):
        d["form"]["schema"]["properties"]["staff"]["items"]["properties"]["photo"] = {
            "title": "照片", "x-field": "upload", "type": "string", "format": "file-ref"}
    problems = problems_of(spoil(sample_definition(), change))
    assert problems["$.form.schema.properties.staff.items.properties.photo.x-field"] == ["“材料上传”不能作为表格的列"]


def test_rule_referring_to_a_missing_field_is_refused(org):
    doc = spoil(sample_definition(), lambda d: d["materials"][1].update(
        condition={"==": [{"var": "business_kind"}, "自动售货设备"]}))
    problems = problems_of(doc)
    assert problems == {"$.materials[1].condition.==[0].var": ["变量“business_kind”不存在"]}


def test_visibility_and_transition_rules_are_checked_too(org):
    def change(d):
        d["form"]["ui_schema"]["fields"]["machines"]["visible_if"] = {"var": "nothing"}
        step(d, "review")["transitions"] = [{"to": "decide", "when": {"var": "ghost"}}, {"to": "done"}]
    problems = problems_of(spoil(sample_definition(), change))
    assert "$.form.ui_schema.fields.machines.visible_if.var" in problems
    assert "$.workflow.steps[6].transitions[0].when.var" in problems


def test_table_rows_are_read_with_some_and_item_relative_names(org):
    doc = spoil(sample_definition(), lambda d: d["materials"][1].update(
        condition={"some": [{"var": "staff"}, {"==": [{"var": "name"}, "张三"]}]}))
    validate_definition(doc)


def test_a_table_column_read_as_if_it_were_a_field_is_refused(org):
    # {"var": "staff.name"} on a list of rows is always empty: a rule using it could never hold.
    doc = spoil(sample_definition(), lambda d: d["materials"][1].update(
        condition={"in": ["张三", {"var": "staff.name"}]}))
    assert problems_of(doc) == {"$.materials[1].condition.in[1].var": ["变量“staff.name”不存在"]}


def test_case_facts_are_available_to_rules(org):
    doc = spoil(sample_definition(), lambda d: d["materials"][1].update(
        condition={"==": [{"var": "case.applicant_type"}, "legal"]}))
    validate_definition(doc)


def test_unreachable_step_is_refused(org):
    def change(d):
        d["workflow"]["steps"].insert(8, {"key": "orphan", "type": "review", "name": "孤立审核", "role": "leader",
                                          "limit_days": 1, "actions": ["approve"], "transitions": [{"to": "done"}]})
    problems = problems_of(spoil(sample_definition(), change))
    assert problems == {"$.workflow.steps[8]": ["步骤“孤立审核”从开始步骤无法到达"]}


def test_a_step_that_cannot_end_is_refused(org):
    doc = spoil(sample_definition(), lambda d: step(d, "decide").update(transitions=[]))
    problems = problems_of(doc)
    assert problems["$.workflow.steps[7].transitions"] == ["“批准”步骤不能作为结束步骤，须有后续步骤"]


def test_return_pointing_forwards_is_refused(org):
    doc = spoil(sample_definition(), lambda d: step(d, "handle").update(return_to=["decide"]))
    problems = problems_of(doc)
    assert problems == {"$.workflow.steps[1].return_to[0]": ["退回只能指向之前的步骤：“批准”在本步骤之后"]}


def test_return_to_a_parallel_sibling_is_refused(org):
    doc = spoil(sample_definition(), lambda d: step(d, "health").update(
        actions=["approve", "return"], return_to=["planning"]))
    assert problems_of(doc) == {"$.workflow.steps[3].return_to[0]": ["退回的目标“住建会签”不在通往本步骤的路径上"]}


def test_forward_loop_is_refused(org):
    doc = spoil(sample_definition(), lambda d: step(d, "review").update(
        transitions=[{"to": "decide", "when": {"var": "business"}}, {"to": "handle"}]))
    assert any("循环" in m[0] for m in problems_of(doc).values())


def test_parallel_branch_needs_a_join(org):
    def change(d):
        step(d, "health")["transitions"] = [{"to": "review"}]
        step(d, "planning")["transitions"] = [{"to": "review"}]
        d["workflow"]["steps"] = [s for s in d["workflow"]["steps"] if s["key"] != "join"]
    problems = problems_of(spoil(sample_definition(), change))
    assert problems == {"$.workflow.steps[2]": ["并联分支“并联审查”的各分支没有汇合到同一个并联汇合步骤"]}


def test_action_not_offered_by_the_step_type_is_refused(org):
    doc = spoil(sample_definition(), lambda d: step(d, "done").update(actions=["complete", "suspend"]))
    assert "$.workflow.steps[8].actions[1]" in problems_of(doc)


def test_promised_limit_above_statutory_is_refused(org):
    doc = spoil(sample_definition(), lambda d: d.update(promised_limit_days=15))
    assert problems_of(doc) == {"$.promised_limit_days": ["承诺时限（15个工作日）不能超过法定时限（10个工作日）"]}


def test_instant_item_is_done_on_the_spot(org):
    doc = spoil(sample_definition(), lambda d: d.update(handling_type="instant"))
    assert problems_of(doc) == {"$.promised_limit_days": ["即办件当场办结，承诺时限应为0个工作日"]}


def test_deferred_class_needs_reason_and_date(org):
    doc = spoil(sample_definition(), lambda d: d.update(online_class="C"))
    assert problems_of(doc) == {"$.online_deferral": ["C类 暂缓上网须说明暂缓上网的理由和计划上网日期"]}
    doc["online_deferral"] = {"reason": "电子证照系统尚未对接", "planned_date": "2026-13-01"}
    assert problems_of(doc) == {"$.online_deferral.planned_date": ["日期应为 YYYY-MM-DD 格式"]}
    doc["online_deferral"]["planned_date"] = "2026-12-01"
    validate_definition(doc)


def test_confidential_item_never_goes_online(org):
    doc = spoil(sample_definition(), lambda d: d.update(confidential=True))
    assert problems_of(doc) == {"$.online_class": ["涉密事项一律不上网，不能归入A类 全程网上办理"]}
    doc["online_class"] = "D"
    validate_definition(doc)


def test_structural_errors_name_the_path(org):
    doc = spoil(sample_definition(), lambda d: d["materials"][0].update(copies=0, medium="fax"))
    problems = problems_of(doc)
    assert problems["$.materials[0].copies"] == ["不能小于 1"]
    assert problems["$.materials[0].medium"][0].startswith("取值应为以下之一")


def test_unknown_department_and_wrong_code_prefix(org):
    doc = spoil(sample_definition(), lambda d: step(d, "health").update(department="JB-NONE"))
    assert problems_of(doc) == {"$.workflow.steps[3].department": ["部门“JB-NONE”不存在"]}
    doc = spoil(sample_definition(), lambda d: d.update(code="JB-WJ-XK-0001"))
    assert "$.code" in problems_of(doc)


def test_the_error_message_lists_the_first_problems(org):
    doc = spoil(sample_definition(), lambda d: d.update(promised_limit_days=15))
    with pytest.raises(InvalidInput) as caught:
        validate_definition(doc)
    assert "$.promised_limit_days" in caught.value.message
    assert "未保存任何修改" in caught.value.message


def test_supervision_rule_conditions_read_only_step_facts(org):
    doc = spoil(sample_definition(), lambda d: d["supervision"].update(
        anomalies=[{"key": "slow", "name": "超时", "condition": {">": [{"var": "step.days"}, 3]}}]))
    assert problems_of(doc) == {"$.supervision.anomalies[0].condition.>[0].var": ["变量“step.days”不存在"]}


def test_a_yellow_card_after_the_red_one_on_the_same_limit_is_refused(org):
    def cards(yellow, red):
        return spoil(sample_definition(), lambda d: d["supervision"].update(yellow_card=yellow, red_card=red))

    late = cards({"limit": "promised", "overdue_days_over": 3}, {"limit": "promised", "overdue_days_over": 3})
    assert list(problems_of(late)) == ["$.supervision.yellow_card.overdue_days_over"]
    assert "黄牌须早于红牌" in problems_of(late)["$.supervision.yellow_card.overdue_days_over"][0]
    # on different limits the order is not decided by the numbers (the statutory limit comes later)
    assert problems_of(cards({"limit": "promised", "overdue_days_over": 3},
                             {"limit": "statutory", "overdue_days_over": 1})) == {}
    no_limit = cards({"overdue_days_over": 1}, {"limit": "statutory", "overdue_days_over": 1})
    assert "$.supervision.yellow_card" in problems_of(no_limit)


def test_stages_carry_their_own_materials_and_workflow(org):
    def change(d):
        unit = {"legal_basis": "依据", "materials": d["materials"], "workflow": d["workflow"], "fees": "不收费",
                "statutory_limit_days": 10, "promised_limit_days": 12}
        d["stages"] = [{"code": "01", "name": "设立", **unit}, {"code": "02", "name": "变更", **unit}]
        d["materials"], d["workflow"] = [], None
    problems = problems_of(spoil(sample_definition(), change))
    assert set(problems) == {"$.stages[0].promised_limit_days", "$.stages[1].promised_limit_days"}
