"""compile_to_q on membership in a multiple-choice (array) field of the form data:
``{"in": ["自动售货设备销售", {"var": "business_types"}]}`` selects exactly the rows the interpreter
accepts, on whichever database the suite runs on (SQLite by default, PostgreSQL in CI).

The property test stores form data of every shape a field can take (missing, null, an empty
array, arrays with texts, numbers, booleans, nulls, objects or nested arrays, and a text, where
``in`` means substring) and compares the compiled query's selection, under ``!``/``and``/``or``,
with per-row evaluation.
"""

import pytest
from django.db import models
from django.test.utils import isolate_apps
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rules import RuleEvaluationError, RuleNotCompilable, compile_to_q, evaluate_rule, truthy
from rules.static import Variable

from .conftest import temporary_tables

FIELDS = {"business_types": "form_data__business_types", "tags": "form_data__tags", "title": "form_data__title"}
VARIABLES = {"business_types": Variable("business_types", "array"), "tags": Variable("tags", "array"),
             "title": Variable("title", "string")}
VENDING = "自动售货设备销售"
TEXTS = [VENDING, "自动售货", "热食类食品制售", "a", ""]
ITEMS = [*TEXTS, 1, 1.0, 2.5, 0, True, False]


@pytest.fixture
def table(db):
    with isolate_apps("rules"):
        class FormRow(models.Model):  # noqa: DJ008 - a throwaway table
            form_data = models.JSONField(default=dict)

            class Meta:
                app_label = "rules"
                db_table = "test_rules_form"

        with temporary_tables(FormRow):
            yield FormRow


def selected_by_both(table, rule, rows: list[dict]):
    """(rows the query selects, rows the interpreter accepts), over the rows the interpreter can
    judge (it raises for a number searched in a text: schema-valid form data never has that)."""
    table.objects.all().delete()
    stored = [table.objects.create(form_data=data) for data in rows]
    by_python, judged = set(), set()
    for row in stored:
        try:
            accepted = truthy(evaluate_rule(rule, row.form_data))
        except RuleEvaluationError:
            continue
        judged.add(row.pk)
        if accepted:
            by_python.add(row.pk)
    query = compile_to_q(rule, FIELDS, variables=VARIABLES)
    by_query = set(table.objects.filter(query).values_list("pk", flat=True)) & judged
    return by_query, by_python, [row.pk for row in stored]


# -- strategies -------------------------------------------------------------------------------

elements = st.one_of(st.sampled_from(TEXTS), st.sampled_from([1, 2, 1.0, 2.5, 0, True, False, None]),
                     st.just({"a": 1}), st.just([VENDING]))
values = st.one_of(st.lists(elements, max_size=4), st.none(), st.sampled_from(TEXTS))
form_data = st.fixed_dictionaries({}, optional={"business_types": values, "tags": values})
rows_strategy = st.lists(form_data, min_size=4, max_size=16)

atoms = st.one_of(
    st.tuples(st.sampled_from(ITEMS), st.sampled_from(["business_types", "tags"]))
    .map(lambda t: {"in": [t[0], {"var": t[1]}]}),
    st.sampled_from([True, False]),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"and": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"or": xs}),
        inner.map(lambda x: {"!": [x]}),
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rule=conditions, rows=rows_strategy)
def test_membership_in_an_array_field_selects_exactly_what_the_interpreter_accepts(table, rule, rows):
    by_query, by_python, _ = selected_by_both(table, rule, rows)
    assert by_query == by_python
    event("selects none" if not by_query else "selects some")


# -- examples ---------------------------------------------------------------------------------

SHAPES = {
    "chosen": {"business_types": ["热食类食品制售", VENDING]},
    "not chosen": {"business_types": ["热食类食品制售"]},
    "missing": {},
    "null": {"business_types": None},
    "empty": {"business_types": []},
    "text holding it": {"business_types": f"{VENDING}（含）"},
    "text without it": {"business_types": "散装食品销售"},
    "nested": {"business_types": [[VENDING]]},
}


def _names(table, rule) -> set[str]:
    by_query, by_python, pks = selected_by_both(table, rule, list(SHAPES.values()))
    assert by_query == by_python
    return {name for name, pk in zip(SHAPES, pks, strict=True) if pk in by_query}


def test_the_demo_vending_condition_selects_the_cases_that_chose_vending(table):
    rule = {"in": [VENDING, {"var": "business_types"}]}
    assert _names(table, rule) == {"chosen", "text holding it"}
    assert _names(table, {"!": [rule]}) == set(SHAPES) - {"chosen", "text holding it"}
    both = {"and": [rule, {"!": [{"in": ["热食类食品制售", {"var": "business_types"}]}]}]}
    assert _names(table, both) == {"text holding it"}
    assert _names(table, {"or": [rule, {"in": ["散装", {"var": "business_types"}]}]}) == {
        "chosen", "text holding it", "text without it"}


def test_numbers_compare_by_value_and_booleans_are_not_numbers(table):
    table.objects.create(form_data={"name": "one and true", "tags": [1, True]})
    table.objects.create(form_data={"name": "one point zero", "tags": [1.0]})
    table.objects.create(form_data={"name": "zero and text one", "tags": [0, "1"]})

    def selected(item):
        q = compile_to_q({"in": [item, {"var": "tags"}]}, FIELDS, variables=VARIABLES)
        return set(table.objects.filter(q).values_list("form_data__name", flat=True))

    assert selected(1) == {"one and true", "one point zero"}
    assert selected(True) == {"one and true"}
    assert selected(False) == set()
    assert selected("1") == {"zero and text one"}
    assert selected(0) == {"zero and text one"}


def test_a_number_searched_in_a_text_is_not_selected(table):
    """The interpreter raises here (a number searched in a text); schema-valid data never has it."""
    table.objects.create(form_data={"tags": "1"})
    q = compile_to_q({"in": [1, {"var": "tags"}]}, FIELDS, variables=VARIABLES)
    assert not table.objects.filter(q).exists()


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"in": [{"var": "title"}, {"var": "tags"}]}, "$.in[0]"),
        ({"in": [["a"], {"var": "tags"}]}, "$.in[0]"),
        ({"in": ["a", {"var": "title"}]}, "$.in[1]"),
        ({"in": ["a", {"var": ["tags", []]}]}, "$.in[1]"),
    ],
    ids=["field-item", "list-item", "text-field", "default"],
)
def test_other_membership_shapes_are_refused_not_compiled_wrongly(rule, path):
    with pytest.raises(RuleNotCompilable) as caught:
        compile_to_q(rule, FIELDS, variables=VARIABLES)
    assert path in caught.value.details
