"""Validation before save: every bad rule is refused with the JSON path of the problem, in Chinese."""

import time

import pytest

from core.errors import InvalidInput
from rules import RuleInvalid, rule_variables, validate_rule, variables_from_schema
from rules.validation import MAX_DEPTH, MAX_NODES

FORM = {
    "type": "object",
    "properties": {
        "area": {"type": "number", "title": "面积"},
        "name": {"type": "string", "title": "名称"},
        "opened_on": {"type": "string", "format": "date", "title": "开业日期"},
        "kind": {"type": "string", "enum": ["餐饮", "零售"], "title": "类型"},
        "rooms": {"type": "array", "items": {"type": "object", "properties": {"area": {"type": "number"}}}},
    },
}
VARIABLES = rule_variables(FORM)


def problems_of(rule, variables=VARIABLES) -> dict:
    with pytest.raises(RuleInvalid) as caught:
        validate_rule(rule, variables=variables)
    assert isinstance(caught.value, InvalidInput)  # the API maps it to 400 with the platform's shape
    assert caught.value.details, "a refusal always names at least one path"
    return caught.value.details


def test_a_good_rule_passes_with_form_fields_and_case_facts():
    rule = {"and": [
        {">": [{"var": "area"}, 100]},
        {"in": [{"var": "kind"}, ["餐饮"]]},
        {"<=": [{"var": "case.working_days_left"}, 2]},
        {"some": [{"var": "rooms"}, {">": [{"var": "area"}, 10]}]},
        {"date_before": [{"var": "opened_on"}, {"today": []}]},
    ]}
    validate_rule(rule, variables=VARIABLES)


def test_the_existing_contract_still_accepts_a_plain_list_of_names_or_none():
    validate_rule({"var": "a.b"}, variables=["a.b"])
    validate_rule({"var": "anything"})
    assert problems_of({"var": "c"}, variables=["a.b"]) == {"$.var": ["变量“c”不存在"]}


def test_unknown_operator_is_refused_at_its_path():
    details = problems_of({"and": [True, {"frobnicate": [1]}]})
    assert details == {"$.and[1].frobnicate": ["不支持的运算“frobnicate”"]}


@pytest.mark.parametrize("name", ["method", "log"])
def test_method_and_log_are_refused_at_save(name):
    rule = {"and": [True, {name: [{"var": "name"}, "upper"]}]}
    assert problems_of(rule) == {f"$.and[1].{name}": [f"不支持的运算“{name}”"]}


def test_dot_notated_library_calls_are_unknown_operations():
    assert "$.datetime.datetime.now" in problems_of({"datetime.datetime.now": []})


def test_wrong_arity_names_the_operation_and_the_counts():
    details = problems_of({"or": [{"==": [1, 2, 3]}, {"!": [1, 2]}]})
    assert details["$.or[0].=="] == ["“==”（等于）需要2 个参数，写了 3 个"]
    assert details["$.or[1].!"] == ["“!”（非）需要1 个参数，写了 2 个"]
    assert problems_of({"today": [1]}) == {"$.today": ["“today”（今天）需要0 个参数，写了 1 个"]}
    assert problems_of({"if": []}) == {"$.if": ["“if”（如果）需要至少 2 个参数，写了 0 个"]}


def test_a_variable_not_in_the_schema_is_refused_at_the_var_node():
    details = problems_of({"and": [True, {">": [{"var": "aera"}, 1]}]})
    assert details == {"$.and[1].>[0].var": ["变量“aera”不存在"]}


def test_unknown_case_fact_and_unknown_list_item_field_are_refused():
    assert problems_of({"var": "case.step_name"}) == {"$.var": ["变量“case.step_name”不存在"]}
    details = problems_of({"some": [{"var": "rooms"}, {">": [{"var": "aera"}, 10]}]})
    assert details == {"$.some[1].>[0].var": ["变量“aera”不存在"]}


def test_list_items_are_addressed_by_index_and_inside_list_operations():
    validate_rule({">": [{"var": "rooms.0.area"}, 1]}, variables=VARIABLES)
    validate_rule({"reduce": [{"var": "rooms"}, {"+": [{"var": "accumulator"}, {"var": "current.area"}]}, 0]},
                  variables=VARIABLES)


def test_a_plain_list_of_names_may_leave_out_item_indexes():
    names = {"rooms", "rooms.area"}  # as the designer lists a table's columns
    validate_rule({">": [{"var": "rooms.0.area"}, 1]}, variables=names)
    validate_rule({"some": [{"var": "rooms"}, {">": [{"var": "area"}, 10]}]}, variables=names)
    details = problems_of({"some": [{"var": "rooms"}, {">": [{"var": "aera"}, 10]}]}, variables=names)
    assert details == {"$.some[1].>[0].var": ["变量“aera”不存在"]}


def test_missing_checks_its_variable_names_too():
    assert problems_of({"missing": ["name", "nmae"]}) == {"$.missing": ["变量“nmae”不存在"]}


def test_variable_names_must_be_written_not_computed():
    details = problems_of({"var": {"cat": ["ar", "ea"]}})
    assert details == {"$.var": ["变量名必须直接写出（文本），不能由其他运算算出"]}


def test_a_string_where_a_number_is_expected_is_refused():
    assert problems_of({"+": [{"var": "area"}, "10"]}) == {"$.+[1]": ["这里需要数字，但写的是文本"]}
    # a text field from the schema in arithmetic
    assert problems_of({"*": [{"var": "name"}, 2]}) == {"$.*[0]": ["这里需要数字，但写的是文本"]}
    # a comparison between a number field and a text literal can never be true
    assert problems_of({">": [{"var": "area"}, "100"]}) == {"$.>": ["比较的两边类型不同：数字与文本"]}
    assert problems_of({"==": [{"var": "area"}, "100"]}) == {"$.==": ["比较的两边类型不同：数字与文本，结果总是不相等"]}


def test_a_value_outside_the_listed_choices_is_refused():
    details = problems_of({"==": [{"var": "case.channel"}, "onlin"]})
    assert details == {"$.==[1]": ["“onlin”不是“申请渠道”的可选值（可选：网上申请（online）、窗口申请（window））"]}
    details = problems_of({"in": [{"var": "kind"}, ["餐饮", "超市"]]})
    assert details == {"$.in[1]": ["“超市”不是“类型”的可选值（可选：餐饮、零售）"]}


def test_dates_must_be_real_dates():
    details = problems_of({"date_before": [{"var": "opened_on"}, "2026-02-30"]})
    assert details == {"$.date_before[1]": ["“2026-02-30”不是有效日期，日期应写作 YYYY-MM-DD（或带时区的日期时间）"]}
    assert problems_of({"<": [{"var": "opened_on"}, "明天"]}) == {"$.<": ["“明天”不是有效日期，日期应写作 YYYY-MM-DD"]}


def test_booleans_cannot_be_ordered():
    assert problems_of({"<": [{"var": "case.suspended"}, 1]}) == {"$.<[0]": ["是/否不能比较大小"]}


def test_a_rule_nested_10000_deep_is_refused_quickly_without_recursion_error():
    rule = True
    for _ in range(10_000):
        rule = {"!": [rule]}
    started = time.perf_counter()
    details = problems_of(rule)
    assert time.perf_counter() - started < 2  # generous: it stops at the depth limit
    ((path, messages),) = details.items()
    assert messages == [f"规则嵌套过深：超过 {MAX_DEPTH} 层，请简化"]
    assert path.startswith("$.![0].![0]") and path.count("!") == MAX_DEPTH + 1


def test_a_5_mb_rule_is_refused_whether_it_is_many_nodes_or_one_long_text():
    many = {"in": [{"var": "name"}, ["某某单位名称"] * 500_000]}  # about 5 MB as JSON
    assert problems_of(many) == {"$": [f"规则过大：超过 {MAX_NODES} 个节点，请拆分或简化"]}
    long_text = {"==": [{"var": "name"}, "名" * (5 * 1024 * 1024 // 3)]}
    assert problems_of(long_text) == {"$.==[1]": ["规则过大：文本合计超过 65536 个字符"]}


def test_objects_must_hold_exactly_one_operation_and_values_must_be_json():
    assert problems_of({"==": [1, 1], "!=": [1, 2]}) == {"$": ["每个运算只能写一个运算符（如 {\"==\": [a, b]}）"]}
    assert problems_of({"==": [{}, 1]}) == {"$.==[0]": ["不能是空对象"]}
    assert problems_of({"==": [{"var": "area"}, float("nan")]}) == {"$.==[1]": ["数字无效"]}
    assert problems_of({"==": [{"var": "area"}, object()]})["$.==[1]"][0].startswith("规则只能由 JSON 组成")


def test_all_problems_are_reported_at_once():
    details = problems_of({"and": [{"var": "x1"}, {"var": "x2"}, {"+": ["a", 1]}]})
    assert set(details) == {"$.and[0].var", "$.and[1].var", "$.and[2].+[0]"}


def test_the_message_summarises_the_problems_in_chinese():
    with pytest.raises(RuleInvalid) as caught:
        validate_rule({"and": [{"var": "x1"}]}, variables=VARIABLES)
    assert caught.value.message == "规则有误：$.and[0].var：变量“x1”不存在"
    assert caught.value.code == "rule_invalid"


def test_variables_from_schema_describes_types_labels_choices_and_items():
    found = variables_from_schema(FORM)
    assert found["area"].kind == "number" and found["area"].label == "面积"
    assert found["opened_on"].kind == "date"
    assert found["kind"].choices == ("餐饮", "零售")
    assert found["rooms"].kind == "array" and found["rooms.*"].kind == "object"
    assert found["rooms.*.area"].kind == "number"


def test_variables_from_schema_follows_refs_nullable_types_and_conditional_branches():
    schema = {
        "type": "object",
        "$defs": {"person": {"type": "object", "properties": {"id_number": {"type": "string"}}}},
        "properties": {
            "applicant": {"$ref": "#/$defs/person"},
            "capital": {"type": ["number", "null"]},
            "loop": {"$ref": "#"},
        },
        "allOf": [{"if": {}, "then": {"properties": {"licence_no": {"type": "string"}}}}],
    }
    found = variables_from_schema(schema)
    assert found["applicant.id_number"].kind == "string"
    assert found["capital"].kind == "number"
    assert "licence_no" in found
    assert "loop" in found  # a self-reference does not recurse forever


def test_a_form_field_named_case_is_refused_because_case_is_reserved_for_facts():
    with pytest.raises(InvalidInput) as caught:
        rule_variables({"type": "object", "properties": {"case": {"type": "string"}}})
    assert "$.properties.case" in caught.value.details
