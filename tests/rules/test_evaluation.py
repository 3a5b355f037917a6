"""Evaluation: the documented semantics, safe failure, no mutation, the sandbox, the cache."""

import copy
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import (
    RuleEvaluationError,
    cached_rule,
    compile_rule,
    evaluate_rule,
    explain,
    facts_data,
    rule_holds,
    truthy,
)

from .conftest import TODAY


def ev(rule, data=None, **kwargs):
    return evaluate_rule(rule, {} if data is None else data, **kwargs)


def failure(rule, data=None) -> RuleEvaluationError:
    with pytest.raises(RuleEvaluationError) as caught:
        ev(rule, data)
    return caught.value


# -- semantics: truthiness --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), (False, False), (0, False), (0.0, False), ("", False), ([], False),
     (True, True), (1, True), (-0.5, True), ("0", True), ("false", True), ([0], True), ({"a": 1}, True)],
)
def test_truthiness_follows_the_jsonlogic_reference(value, expected):
    assert truthy(value) is expected
    assert ev({"!!": [{"var": "v"}]}, {"v": value}) is expected
    assert ev({"if": [{"var": "v"}, "yes", "no"]}, {"v": value}) == ("yes" if expected else "no")


def test_an_empty_object_is_true_unlike_json_logic_qubit():
    assert ev({"!!": [{"var": "v"}]}, {"v": {}}) is True


# -- semantics: equality and ordering ---------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [(1, 1.0, True), ("1", 1, False), ("", 0, False), (True, 1, False), (False, 0, False), (None, None, True),
     (None, 0, False), (None, "", False), ([1, 2], [1, 2], True), ([True], [1], False), ("a", "a", True)],
)
def test_equality_is_strict_without_coercion(a, b, equal):
    data = {"a": a, "b": b}
    assert ev({"==": [{"var": "a"}, {"var": "b"}]}, data) is equal
    assert ev({"===": [{"var": "a"}, {"var": "b"}]}, data) is equal
    assert ev({"!=": [{"var": "a"}, {"var": "b"}]}, data) is not equal


def test_ordering_compares_numbers_with_numbers_and_text_with_text():
    assert ev({"<": [{"var": "a"}, {"var": "b"}]}, {"a": 2, "b": 10}) is True
    assert ev({"<": [{"var": "a"}, {"var": "b"}]}, {"a": "2", "b": "10"}) is False  # text order
    assert ev({"<": [{"var": "a"}, "2026-03-02"]}, {"a": "2026-02-28"}) is True  # ISO dates order as text
    assert ev({"<=": [1, {"var": "n"}, 3]}, {"n": 3}) is True
    assert ev({"<": [1, {"var": "n"}, 3]}, {"n": 3}) is False


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_a_comparison_with_a_missing_value_is_false(op):
    assert ev({op: [{"var": "missing"}, 5]}) is False
    assert ev({op: [5, {"var": "missing"}]}) is False
    assert ev({"!": {op: [{"var": "missing"}, 5]}}) is True  # negation is two-valued


def test_ordering_a_number_against_text_is_an_evaluation_error_not_a_guess():
    error = failure({"and": [True, {">": [{"var": "a"}, 1000]}]}, {"a": "abc"})
    assert error.details == {"$.and[1].>": ["无法比较大小：文本“abc”与数字“1000”"]}
    assert error.code == "rule_evaluation_error"


# -- semantics: arithmetic ----------------------------------------------------------------------


def test_arithmetic_with_a_missing_value_gives_null_and_the_comparison_is_false():
    assert ev({"+": [{"var": "a"}, 1]}) is None
    assert ev({"<": [{"-": [{"var": "limit"}, {"var": "used"}]}, 2]}, {"limit": 10}) is False


def test_division_and_remainder_by_zero_give_null():
    assert ev({"/": [{"var": "a"}, {"var": "b"}]}, {"a": 1, "b": 0}) is None
    assert ev({"%": [{"var": "a"}, 0]}, {"a": 1}) is None
    assert ev({">": [{"/": [1, {"var": "b"}]}, 0]}, {"b": 0}) is False


def test_a_string_where_a_number_is_expected_is_an_evaluation_error_with_the_path():
    error = failure({"if": [True, {"+": [{"var": "area"}, 1]}, 0]}, {"area": "120"})
    assert error.details == {"$.if[1].+": ["需要数字，得到文本“120”"]}
    assert "$.if[1].+" in error.message
    assert failure({"*": [{"var": "ok"}, 2]}, {"ok": True}).details == {"$.*": ["需要数字，得到是/否（是）"]}


def test_explicit_conversion_of_numeric_text_is_available():
    assert ev({"+": [{"to_number": [{"var": "area"}]}, 1]}, {"area": " 120 "}) == 121
    assert failure({"to_number": [{"var": "area"}]}, {"area": "12a"}).details == {"$.to_number": ["“12a”不是数字"]}


def test_numbers_beyond_the_exact_range_are_an_error():
    assert failure({"*": [{"var": "n"}, 1_000_000_000]}, {"n": 1_000_000_000}).details == {"$.*": ["数值超出可计算范围"]}
    assert failure({"*": [{"var": "n"}, 1e300]}, {"n": 1e300}).details == {"$.*": ["数值超出可计算范围"]}


# -- safety ----------------------------------------------------------------------------------


def test_a_method_rule_stored_behind_validations_back_is_refused_at_evaluation():
    rule = {"method": [{"var": "name"}, "upper"]}
    error = failure(rule, {"name": "abc"})
    assert error.details == {"$.method": ["不支持的运算“method”"]}
    assert error.message.startswith("规则未通过校验，已拒绝计算")


def test_the_classic_escape_through_method_is_refused():
    escape = {"method": [{"method": [{"var": "s"}, "__class__"]}, "__subclasses__"]}
    assert "$.method" in failure(escape, {"s": "x"}).details


def test_log_is_refused_and_prints_nothing(capsys, caplog):
    assert "$.log" in failure({"log": ["秘密"]}).details
    assert "秘密" not in capsys.readouterr().out and "秘密" not in caplog.text


@pytest.mark.parametrize(
    "rule",
    [{"frobnicate": []}, {"==": [1]}, {"a": 1, "b": 2}, {"var": {"cat": ["a"]}}, {"+": [1, "2"]}],
    ids=["unknown", "arity", "two-keys", "dynamic-var", "text-in-arithmetic"],
)
def test_rules_that_would_be_refused_at_save_are_refused_at_evaluation(rule):
    assert failure(rule).message.startswith("规则未通过校验，已拒绝计算")


def test_a_deep_rule_from_the_database_is_refused_without_recursion_error():
    rule = True
    for _ in range(10_000):
        rule = {"!": rule}
    assert list(failure(rule).details.values()) == [["规则嵌套过深：超过 40 层，请简化"]]


def test_data_that_is_not_plain_json_is_refused_when_read():
    class Sneaky:
        def upper(self):  # pragma: no cover - must never be called
            raise AssertionError

    error = failure({"==": [{"var": "x"}, 1]}, {"x": Sneaky()})
    assert error.details == {"$.==[0].var": ["数据中含有非 JSON 值（Sneaky），规则只读取纯 JSON 数据"]}
    assert failure({"var": "d"}, {"d": dt.date(2026, 3, 1)}).details["$.var"][0].startswith("数据中含有非 JSON 值")


def test_nested_list_operations_cannot_hang_a_worker():
    big = list(range(1000))
    rule = {"some": [big, {"some": [big, {"some": [big, {"==": [{"var": ""}, -1]}]}]}]}
    error = failure(rule)
    assert error.details == {"$.some[1].some[1].some": ["规则计算量超出上限（列表运算嵌套过多）"]}


def test_a_string_that_doubles_itself_cannot_exhaust_memory():
    rule = {"reduce": [list(range(40)), {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]}, "ab"]}
    assert failure(rule).details == {"$.reduce[1].cat": ["拼接结果过长"]}


def test_deeply_nested_data_gives_an_error_not_a_crash():
    data = current = {}
    for _ in range(5000):
        current["x"] = {}
        current = current["x"]
    error = failure({"var": "x"}, data)
    assert error.details == {"$": ["结果嵌套过深"]}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)
OPS = ["==", "<", ">", "+", "-", "*", "/", "%", "!", "and", "or", "if", "in", "cat", "substr", "var", "merge",
       "min", "max", "missing", "some", "all", "map", "filter", "reduce", "length", "date", "add_days",
       "days_between", "upper", "to_number", "sum", "any_in", "method", "log", "nope"]
rules_strategy = st.recursive(
    json_values,
    lambda children: st.builds(lambda op, args: {op: args}, st.sampled_from(OPS), st.lists(children, max_size=3)),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules_strategy, data=json_values)
def test_evaluation_gives_a_value_or_a_rule_evaluation_error_and_never_mutates_its_input(rule, data):
    rule_before, data_before = copy.deepcopy(rule), copy.deepcopy(data)
    try:
        result = evaluate_rule(rule, data, today=TODAY)
    except RuleEvaluationError as exc:
        assert exc.details and all(path.startswith("$") for path in exc.details)
    else:
        if isinstance(result, list | dict) and isinstance(data, list | dict):
            assert result is not data
    assert rule == rule_before
    assert data == data_before


def test_a_result_is_a_copy_so_editing_it_cannot_edit_the_data():
    data = {"items": [{"qty": 1}]}
    result = ev({"var": "items"}, data)
    result[0]["qty"] = 99
    assert data == {"items": [{"qty": 1}]}
    assert ev({"merge": [{"var": "items"}]}, data)[0] is not data["items"][0]


# -- dates and facts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_today_is_the_local_date_unless_fixed(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))  # 07:30 on 2 March in China
    assert ev({"today": []}) == "2026-03-02"
    assert ev({"today": []}, today=dt.date(2025, 1, 1)) == "2025-01-01"


@pytest.mark.django_db
def test_working_days_follow_the_calendar_and_flag_years_not_yet_entered():
    assert ev({"add_working_days": ["2026-09-30", 1]}) == "2026-10-08"  # National Day week
    outcome = explain({"add_working_days": ["2031-06-30", 5]}, {})
    assert outcome.result == "2031-07-07"
    assert outcome.notes == ["计算跨越了尚未录入节假日安排的年份，按周一至周五推算，结果为临时结果"]


def test_an_invalid_date_is_an_evaluation_error():
    assert failure({"add_days": [{"var": "d"}, 1]}, {"d": "2026-02-30"}).details == {
        "$.add_days": ["需要日期（如 2026-03-01），得到文本“2026-02-30”"]
    }


def test_age_from_an_id_number_uses_today_and_is_null_for_an_invalid_number():
    rule = {">=": [{"age_from_id": [{"var": "id"}]}, 18]}
    assert evaluate_rule(rule, {"id": "110105200803100013"}, today=dt.date(2026, 3, 10)) is True
    assert evaluate_rule(rule, {"id": "110105200803100013"}, today=dt.date(2026, 3, 9)) is False
    assert evaluate_rule(rule, {"id": "110105200803100014"}, today=TODAY) is False  # bad check digit: null


def test_facts_data_turns_model_values_into_the_case_object():
    from decimal import Decimal

    data = facts_data({
        "case.received_on": dt.date(2026, 3, 2),
        "case.accepted_on": dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC),  # 01:00 on 3 March locally
        "case.working_days_left": Decimal("3"),
        "case.channel": "online",
    })
    assert data == {"case": {"received_on": "2026-03-02", "accepted_on": "2026-03-03", "working_days_left": 3,
                             "channel": "online"}}


# -- explain, caching and fail-closed helpers -------------------------------------------------


def test_explain_lists_each_sub_expression_with_its_value_in_order():
    rule = {"and": [{">": [{"var": "n"}, 1]}, {"<": [{"var": "n"}, 3]}]}
    outcome = explain(rule, {"n": 5})
    assert outcome.result is False
    assert [(s.path, s.value) for s in outcome.steps] == [
        ("$.and[0].>[0].var", 5), ("$.and[0].>", True), ("$.and[1].<[0].var", 5), ("$.and[1].<", False),
        ("$.and", False),
    ]
    assert outcome.steps[1].label == "大于"


def test_explain_reports_an_evaluation_error_as_part_of_the_answer():
    outcome = explain({"or": [False, {"+": [{"var": "a"}, 1]}]}, {"a": "x"})
    assert outcome.result is None
    assert outcome.error.details == {"$.or[1].+": ["需要数字，得到文本“x”"]}
    assert outcome.as_json()["ok"] is False


def test_cached_rules_are_compiled_once_per_key_and_recompiled_if_the_key_names_another_rule():
    rule = {">": [{"var": "n"}, 1]}
    first = cached_rule("version:1:rule:a", rule)
    assert cached_rule("version:1:rule:a", rule) is first
    assert cached_rule("version:1:rule:a", {">": [{"var": "n"}, 1]}) is first  # equal rule, fresh object
    other = cached_rule("version:1:rule:a", {"<": [{"var": "n"}, 1]})
    assert other is not first and other.evaluate({"n": 0}) is True
    assert evaluate_rule(rule, {"n": 2}, key="version:1:rule:a") is True  # the key now names `rule` again


def test_a_compiled_rule_does_not_change_when_the_callers_rule_is_edited_afterwards():
    rule = {"in": [{"var": "x"}, ["a"]]}
    compiled = compile_rule(rule)
    rule["in"][1].append("b")
    assert compiled.evaluate({"x": "b"}) is False


def test_rule_holds_fails_closed_and_reports_the_error():
    errors = []
    assert rule_holds({">": [{"var": "a"}, 1]}, {"a": "x"}, on_error=errors.append) is False
    assert errors and errors[0].details == {"$.>": ["无法比较大小：文本“x”与数字“1”"]}
    assert rule_holds({"method": ["x", "upper"]}, {}) is False
    assert rule_holds({">": [{"var": "a"}, 1]}, {"a": 2}) is True
