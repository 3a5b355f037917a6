"""compile_to_q: the database selects exactly the cases the interpreter accepts, on a real table.

The property test draws random rules from the compilable subset and random rows (with nulls
everywhere), and compares the compiled query's selection with per-row evaluation. It runs on
whichever database the suite runs on (SQLite by default, PostgreSQL in CI).
"""

import datetime as dt

import pytest
from django.db import models
from django.test.utils import isolate_apps
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rules import RuleInvalid, RuleNotCompilable, compile_to_q, evaluate_rule, facts_data, truthy

from .conftest import TODAY, temporary_tables

FIELDS = {
    "case.working_days_left": "left",
    "case.working_days_used": "used",
    "case.time_limit": "limit",
    "case.corrections": "corrections",
    "case.department": "department",
    "case.channel": "channel",
    "case.due_on": "due",
    "case.received_on": "received",
    "case.suspended": "suspended",
    "case.step_working_days_left": "clock__step_left",  # across a (nullable) relation
}
NUMBER_FACTS = ["case.working_days_left", "case.working_days_used", "case.time_limit", "case.corrections",
                "case.step_working_days_left"]
DATE_FACTS = ["case.due_on", "case.received_on"]
DEPARTMENTS = ["JB-SCJG", "JB-WJ", ""]
CHANNELS = ["online", "window"]
DATES = ["2026-02-27", "2026-03-01", "2026-03-10", "2026-04-01"]


@pytest.fixture
def tables(db):
    with isolate_apps("rules"):
        class Clock(models.Model):  # noqa: DJ008 - a throwaway table
            step_left = models.IntegerField(null=True)

            class Meta:
                app_label = "rules"
                db_table = "test_rules_clock"

        class CaseRow(models.Model):  # noqa: DJ008 - a throwaway table
            left = models.IntegerField(null=True)
            used = models.IntegerField(null=True)
            limit = models.IntegerField(null=True)
            corrections = models.IntegerField(null=True)
            department = models.CharField(max_length=20, null=True)
            channel = models.CharField(max_length=10, null=True)
            due = models.DateField(null=True)
            received = models.DateField(null=True)
            suspended = models.BooleanField(null=True)
            clock = models.ForeignKey(Clock, null=True, on_delete=models.SET_NULL)

            class Meta:
                app_label = "rules"
                db_table = "test_rules_case"

        with temporary_tables(Clock, CaseRow):
            yield CaseRow, Clock


def case_data(row) -> dict:
    values = {name: getattr(row, path) for name, path in FIELDS.items() if "__" not in path}
    values["case.step_working_days_left"] = row.clock.step_left if row.clock_id else None
    return facts_data(values)


def store(tables, rows: list[dict]):
    CaseRow, Clock = tables
    CaseRow.objects.all().delete()
    Clock.objects.all().delete()
    for values in rows:
        values = dict(values)
        step_left = values.pop("step_left")
        clock = Clock.objects.create(step_left=step_left[1]) if step_left[0] else None
        CaseRow.objects.create(clock=clock, **values)
    return CaseRow.objects.select_related("clock")


def selected_by_both(tables, rule, rows):
    CaseRow, _ = tables
    stored = list(store(tables, rows))
    by_query = set(CaseRow.objects.filter(compile_to_q(rule, FIELDS, today=TODAY)).values_list("pk", flat=True))
    by_python = {row.pk for row in stored if truthy(evaluate_rule(rule, case_data(row), today=TODAY))}
    return by_query, by_python


# -- strategies -------------------------------------------------------------------------------

small_ints = st.one_of(st.none(), st.integers(-5, 25))
rows_strategy = st.lists(
    st.fixed_dictionaries({
        "left": small_ints, "used": small_ints, "limit": small_ints, "corrections": small_ints,
        "department": st.one_of(st.none(), st.sampled_from(DEPARTMENTS)),
        "channel": st.one_of(st.none(), st.sampled_from(CHANNELS)),
        "due": st.one_of(st.none(), st.sampled_from(DATES).map(dt.date.fromisoformat)),
        "received": st.one_of(st.none(), st.sampled_from(DATES).map(dt.date.fromisoformat)),
        "suspended": st.one_of(st.none(), st.booleans()),
        "step_left": st.tuples(st.booleans(), small_ints),  # (has a clock row, its value)
    }),
    min_size=4,
    max_size=20,
)


def var(name):
    return {"var": name}


number_literals = st.one_of(st.integers(-3, 22), st.sampled_from([0, 0.5, 2.5, -1.5, -2.0, 3.0]))
number_exprs = st.recursive(
    st.one_of(st.sampled_from(NUMBER_FACTS).map(var), number_literals,
              st.sampled_from(NUMBER_FACTS).map(lambda n: {"var": [n, 0]})),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), inner, inner).map(lambda t: {t[0]: [t[1], t[2]]}),
        st.tuples(st.sampled_from(["+", "*"]), inner, inner, inner).map(lambda t: {t[0]: [t[1], t[2], t[3]]}),
        inner.map(lambda e: {"-": [e]}),
    ),
    max_leaves=4,
)
numeric_comparisons = st.one_of(
    st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "===", "!=="]), number_exprs, number_exprs)
    .map(lambda t: {t[0]: [t[1], t[2]]}),
    st.tuples(st.sampled_from(["<", "<="]), number_literals, number_exprs, number_literals)
    .map(lambda t: {t[0]: [t[1], t[2], t[3]]}),
    st.tuples(st.sampled_from(NUMBER_FACTS), st.lists(st.one_of(st.none(), number_literals), max_size=4))
    .map(lambda t: {"in": [var(t[0]), t[1]]}),
    st.tuples(st.sampled_from(NUMBER_FACTS), st.sampled_from([None, 0, 3]))
    .map(lambda t: {"==": [var(t[0]), t[1]]}),
)
text_conditions = st.one_of(
    st.tuples(st.sampled_from(["==", "!="]), st.one_of(st.none(), st.sampled_from(DEPARTMENTS)))
    .map(lambda t: {t[0]: [var("case.department"), t[1]]}),
    st.tuples(st.sampled_from(["==", "!="]), st.sampled_from(CHANNELS))
    .map(lambda t: {t[0]: [t[1], var("case.channel")]}),
    st.lists(st.one_of(st.none(), st.sampled_from(DEPARTMENTS)), max_size=3).map(
        lambda values: {"in": [var("case.department"), values]}),
    st.just({"==": [var("case.department"), var("case.channel")]}),
    st.sampled_from(["case.department", "case.channel"]).map(var),
)
date_conditions = st.one_of(
    st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), st.sampled_from(DATE_FACTS),
              st.one_of(st.sampled_from(DATES), st.just({"today": []}), st.sampled_from(DATE_FACTS).map(var)))
    .map(lambda t: {t[0]: [var(t[1]), t[2]]}),
    st.tuples(st.sampled_from(["date_before", "date_after"]), st.sampled_from(DATE_FACTS),
              st.one_of(st.sampled_from(DATES), st.just({"today": []}), st.just({"add_days": [{"today": []}, -7]})))
    .map(lambda t: {t[0]: [var(t[1]), t[2]]}),
    st.sampled_from(DATE_FACTS).map(var),
)
bool_conditions = st.one_of(
    st.just(var("case.suspended")),
    st.sampled_from([True, False, None]).map(lambda v: {"==": [var("case.suspended"), v]}),
)
atoms = st.one_of(numeric_comparisons, text_conditions, date_conditions, bool_conditions, number_exprs,
                  st.sampled_from([True, False]))
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"and": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"or": xs}),
        inner.map(lambda x: {"!": [x]}),
        inner.map(lambda x: {"!!": [x]}),
        st.lists(inner, min_size=2, max_size=5).map(lambda xs: {"if": xs}),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rule=conditions, rows=rows_strategy)
def test_the_compiled_query_selects_exactly_the_cases_the_interpreter_accepts(tables, rule, rows):
    by_query, by_python = selected_by_both(tables, rule, rows)
    assert by_query == by_python
    # Shown by --hypothesis-show-statistics: most examples should select some rows but not all.
    event("selects none" if not by_query else "selects all" if len(by_query) == len(rows) else "selects some")


# -- examples ---------------------------------------------------------------------------------

ROWS = [
    {"left": 1, "used": 19, "limit": 20, "corrections": 0, "department": "JB-SCJG", "channel": "online",
     "due": dt.date(2026, 3, 11), "received": dt.date(2026, 2, 27), "suspended": False, "step_left": (True, -1)},
    {"left": None, "used": None, "limit": 20, "corrections": None, "department": None, "channel": "window",
     "due": None, "received": dt.date(2026, 3, 10), "suspended": None, "step_left": (False, None)},
    {"left": 10, "used": 10, "limit": 20, "corrections": 2, "department": "JB-WJ", "channel": "online",
     "due": dt.date(2026, 3, 24), "received": dt.date(2026, 3, 1), "suspended": True, "step_left": (True, 4)},
]


def test_a_typical_warning_rule_selects_the_cases_it_should(tables):
    warning = {"and": [
        {"!": [var("case.suspended")]},
        {"or": [
            {"<=": [var("case.working_days_left"), 2]},
            {"<=": [var("case.working_days_left"), {"*": [var("case.time_limit"), 0.2]}]},
        ]},
    ]}
    by_query, by_python = selected_by_both(tables, warning, ROWS)
    assert by_query == by_python and len(by_query) == 1


def test_a_whole_number_written_with_a_decimal_point_is_compared_as_an_integer(tables):
    """``1.0`` selects what ``1`` does and is sent as ``1``: as a float PostgreSQL compared the
    integer column as ``numeric``, converting every row; a fraction keeps its value."""
    CaseRow, _ = tables
    whole = {"<=": [var("case.working_days_left"), 1.0]}
    by_query, by_python = selected_by_both(tables, whole, ROWS)
    by_integer = set(CaseRow.objects.filter(compile_to_q({"<=": [var("case.working_days_left"), 1]}, FIELDS))
                     .values_list("pk", flat=True))
    assert by_query == by_python == by_integer
    assert len(by_query) == 1  # the case with exactly one day left
    sql, params = CaseRow.objects.filter(compile_to_q(whole, FIELDS)).query.sql_with_params()
    assert not [p for p in params if isinstance(p, float)] and "1.0" not in sql
    fraction = {"<=": [var("case.working_days_left"), 2.5]}
    by_query, by_python = selected_by_both(tables, fraction, ROWS)
    assert by_query == by_python and by_query


def test_negation_of_a_comparison_with_a_missing_value_matches_like_the_interpreter(tables):
    rule = {"!": [{"<": [{"-": [var("case.time_limit"), var("case.working_days_used")]}, 5]}]}
    by_query, by_python = selected_by_both(tables, rule, ROWS)
    assert by_query == by_python and len(by_query) == 2  # the case with no "used" yet is among them


def test_division_by_zero_is_null_in_the_database_too(tables):
    rule = {"!": [{">": [{"/": [var("case.working_days_used"), var("case.corrections")]}, 1]}]}
    by_query, by_python = selected_by_both(tables, rule, ROWS)
    assert by_query == by_python and len(by_query) == 2


def test_a_rule_that_is_constant_selects_all_or_nothing(tables):
    CaseRow, _ = tables
    store(tables, ROWS)
    assert CaseRow.objects.filter(compile_to_q({"<": [1, 2]}, FIELDS)).count() == 3
    assert CaseRow.objects.filter(compile_to_q({"and": [False, var("case.suspended")]}, FIELDS)).count() == 0


def test_today_and_other_parts_without_variables_are_computed_once_in_python(tables):
    rule = {"date_before": [var("case.due_on"), {"add_days": [{"today": []}, 7]}]}
    by_query, by_python = selected_by_both(tables, rule, ROWS)
    assert by_query == by_python and len(by_query) == 1


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"<": [{"%": [var("case.working_days_used"), 2]}, 1]}, "$.<[0].%"),
        ({"==": [{"cat": [var("case.department"), "-1"]}, "JB-1"]}, "$.==[0].cat"),
        ({"in": ["SCJG", var("case.department")]}, "$.in[1]"),
        ({"<": [var("case.department"), "JB-Z"]}, "$.<"),
        ({"date_before": [{"add_working_days": [var("case.received_on"), 5]}, {"today": []}]},
         "$.date_before[0].add_working_days"),
        ({"==": [var("case.number"), "X"]}, "$.==[0].var"),
        ({"missing": ["case.department"]}, "$.missing"),
        ({"==": [{"if": [var("case.suspended"), 1, 2]}, 1]}, "$.==[0].if"),
    ],
    ids=["remainder", "cat", "substring", "text-order", "working-days", "unmapped-fact", "missing", "if-as-value"],
)
def test_a_rule_outside_the_subset_is_reported_not_compiled_wrongly(rule, path):
    with pytest.raises(RuleNotCompilable) as caught:
        compile_to_q(rule, FIELDS, today=TODAY)
    assert path in caught.value.details
    assert caught.value.message.startswith("规则不能转换为数据库查询")


def test_an_invalid_rule_is_refused_before_compiling():
    with pytest.raises(RuleInvalid) as caught:
        compile_to_q({"method": [var("case.department"), "upper"]}, FIELDS)
    assert caught.value.details == {"$.method": ["不支持的运算“method”"]}
