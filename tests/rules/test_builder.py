"""The condition builder's grammar (rules/builder.py): exact round trips inside it, rules outside
it reported and left alone; the shared vectors hold the JavaScript copy to the same answers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import builder, validate_rule

VECTORS = json.loads((Path(__file__).parent / "builder_vectors.json").read_text(encoding="utf-8"))
dumps = json.dumps  # rules compare as JSON text: in Python 1 == 1.0 == True, in a stored rule they differ


@pytest.mark.parametrize("case", VECTORS["representable"], ids=lambda c: dumps(c["rule"], ensure_ascii=False))
def test_each_vector_reads_as_its_tree_and_writes_back_exactly(case):
    assert builder.to_tree(case["rule"]) == case["tree"]
    assert dumps(builder.to_rule(case["tree"]), ensure_ascii=False) == dumps(case["rule"], ensure_ascii=False)


@pytest.mark.parametrize("rule", VECTORS["not_representable"], ids=lambda r: dumps(r, ensure_ascii=False))
def test_rules_outside_the_grammar_are_reported_and_untouched(rule):
    before = copy.deepcopy(rule)
    assert not builder.representable(rule)
    with pytest.raises(builder.NotRepresentable):
        builder.to_tree(rule)
    assert dumps(rule) == dumps(before)


def test_every_representable_vector_is_valid_json_logic():
    for case in VECTORS["representable"]:
        validate_rule(case["rule"])  # names are not checked here, only the operations and shapes


names = st.sampled_from(["kind", "seats", "area", "opened_on", "case.channel", "decision.check.capacity", "scope",
                         "case.state", "case.department", "case.step"])
texts = st.text(min_size=0, max_size=8)
numbers = st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False, width=32).filter(
    lambda f: not f.is_integer())  # a whole float (1.0) is written 1 by JSON in the browser
scalars = texts | numbers | st.booleans()


@st.composite
def lines(draw):
    op = draw(st.sampled_from(list(builder.OPERATORS)))
    line = {"var": draw(names), "op": op}
    shape = builder.OPERATORS[op].value
    if shape == "one":
        line["value"] = draw(scalars)
    elif shape == "two":
        line["value"] = [draw(scalars), draw(scalars)]
    elif shape == "list":
        line["value"] = draw(st.lists(scalars, min_size=1, max_size=4))
    return line


trees = st.recursive(lines(), lambda children: st.builds(
    lambda group, items: {"group": group, "items": items}, st.sampled_from(["all", "any"]),
    st.lists(children, min_size=2, max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_builder_to_json_logic_to_builder_is_the_identity(tree):
    rule = builder.to_rule(tree)
    assert builder.to_tree(rule) == tree
    assert dumps(builder.to_rule(builder.to_tree(rule))) == dumps(rule)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-100, 100) | st.sampled_from(["a", "kind", "餐饮", ""]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["var", "==", "!", "!!", "in", "and", "or", "<=", ">", "some", "if"]), children,
        min_size=1, max_size=2),
    max_leaves=10)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_any_json_is_either_represented_exactly_or_reported_and_left_alone(rule):
    before = dumps(rule)
    try:
        tree = builder.to_tree(rule)
    except builder.NotRepresentable:
        assert dumps(rule) == before
        return
    assert dumps(builder.to_rule(tree)) == before


def test_the_operator_table_is_the_one_the_script_carries():
    script = (Path(__file__).parents[2] / "platform/rules/static/rules/builder.js").read_text(encoding="utf-8")
    start = script.index("/* OPERATORS */") + len("/* OPERATORS */")
    table = json.loads(script[start:script.index("/* END OPERATORS */")].strip().rstrip(";").split("=", 1)[1])
    assert table == builder.operators_json()


STATES = {"received": "已接件，待受理", "in_progress": "办理中", "suspended": "特殊程序中", "refused": "不予受理"}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["eq", "ne"]), st.sampled_from(sorted(STATES)), st.lists(st.sampled_from(sorted(STATES)),
                                                                                   min_size=1, max_size=3))
def test_a_choice_valued_fact_round_trips_and_reads_by_its_chinese_names(op, state, states):
    """A fact with a value list (``case.state``): its lines round-trip exactly like any other, and
    read with the values' Chinese names, never their codes."""
    variables = {"case.state": {"label": "办件状态", "choice_labels": STATES}}
    for tree in ({"var": "case.state", "op": op, "value": state}, {"var": "case.state", "op": "in", "value": states}):
        rule = builder.to_rule(tree)
        assert builder.to_tree(rule) == tree
        words = builder.describe(rule, variables)
        assert all(f"“{STATES[s]}”" in words for s in ([state] if "value" in tree and tree["op"] != "in" else states))
        assert not any(code in words for code in STATES)
