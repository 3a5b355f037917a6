"""A theme (专题监察) compiled to one set-based query over cases, open and closed.

The condition is json-logic from the condition builder over three kinds of variables:

* the **case facts** the database can answer (``rules.facts``: the stored columns the runtime names
  in ``runtime.rule_data.FACT_COLUMNS``, the time limit, suspension, extension, and the course of
  the case — ``case.returns``, ``case.steps_done``, ``case.days_after_special_procedure``); the
  facts of the clock as of today and of the step in hand are not offered (a theme looks at closed
  cases too, which have neither);
* the **form fields** of the items in scope (their versions in service), typed as the material
  check types them (``materials._form_columns``, the first copy);
* the **officers' decisions** (``decision.<step>.<field>``) of the steps of those items: the latest
  non-empty decision recorded on a done step of that key, as the runtime reads it
  (``runtime.rule_data.decisions_of``).

``rules.compile_to_q`` turns the condition into a ``Q`` over annotations added only for the
variables the condition names, so a theme is one ``SELECT`` whatever the number of cases. A
condition outside what compiles is refused with its JSON path (``RuleNotCompilable`` /
``RuleInvalid``) — when the theme is saved, and never evaluated case by case.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce

from rules import Variable, case_facts, compile_to_q
from rules.schema import decision_variables, variables_from_schema

from .materials import _fact_columns, _form_columns
from .performance import month_bounds
from .theme_models import Period, PeriodBasis

# The case facts a theme may name; the others (the clock as of today, the step in hand) have no
# meaning for a closed case and are refused like any unknown variable.
THEME_FACTS = (
    "case.number", "case.item", "case.channel", "case.applicant_type", "case.department", "case.state",
    "case.received_on", "case.accepted_on", "case.due_on", "case.time_limit", "case.suspended", "case.extended",
    "case.corrections", "case.returns", "case.steps_done", "case.days_after_special_procedure",
)


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a theme looks at: item, department and service-theme codes (empty: all) and the period."""

    items: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    service_themes: tuple[str, ...] = ()
    period_basis: str = PeriodBasis.ACCEPTED
    period: str = Period.ALL
    period_from: dt.date | None = None
    period_to: dt.date | None = None

    @classmethod
    def of(cls, theme) -> Scope:
        return cls(tuple(theme.items or ()), tuple(theme.departments or ()), tuple(theme.service_themes or ()),
                   theme.period_basis, theme.period, theme.period_from, theme.period_to)

    def bounds(self, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """The period's first and last day (inclusive); ``(None, None)`` for no period."""
        if self.period == Period.FIXED:
            return self.period_from, self.period_to
        if self.period == Period.THIS_WEEK:
            start = today - dt.timedelta(days=today.weekday())
            return start, start + dt.timedelta(days=6)
        if self.period == Period.THIS_MONTH:
            return month_bounds(today)
        if self.period == Period.THIS_QUARTER:
            first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
            return first, month_bounds(first.replace(month=first.month + 2))[1]
        if self.period == Period.THIS_YEAR:
            return today.replace(month=1, day=1), today.replace(month=12, day=31)
        return None, None

    def basis_field(self) -> str:
        return "completed_on" if self.period_basis == PeriodBasis.COMPLETED else "accepted_on"


# -- what a theme may name -------------------------------------------------------------------------


def _versions(scope: Scope):
    """The documents of the versions in service of the items in scope (none: no item named)."""
    from designer.models import ApprovalItem

    if not scope.items:
        return []
    items = ApprovalItem.objects.filter(code__in=scope.items, current_version__isnull=False)
    return [item.current_version.document for item in items.select_related("current_version").order_by("code")]


def variables(scope: Scope) -> dict[str, Variable]:
    """Every variable a theme over ``scope`` may name: the theme facts, then the form fields and
    the decisions of the items in scope (the first item's type wins for a name shared by several)."""
    out = {name: case_facts.get(name) for name in THEME_FACTS}
    for document in _versions(scope):
        for name, variable in variables_from_schema(document["form"]["schema"]).items():
            out.setdefault(name, variable)
        for step in document["workflow"]["steps"]:
            if isinstance(step.get("decision_form"), dict):
                for name, variable in decision_variables(step["key"], step["decision_form"].get("schema")).items():
                    out.setdefault(name, variable)
    return out


def builder_variables(scope: Scope) -> list[dict]:
    """The variables as the condition builder offers them, with the choices a theme needs by their
    Chinese names: the items and departments in scope, the case states, the steps of the items."""
    from accounts.models import Department
    from designer.models import ApprovalItem
    from rules.selectors import builder_variables as rows_of
    from runtime.models import CaseState

    documents = _versions(scope)
    steps = {s["key"]: s.get("name", s["key"]) for doc in documents for s in doc["workflow"]["steps"]}
    items = ApprovalItem.objects.in_service()
    if scope.items:
        items = items.filter(code__in=scope.items)
    departments = Department.objects.filter(kind=Department.Kind.DEPARTMENT)
    if scope.departments:
        departments = departments.filter(code__in=scope.departments)
    labels = {"case.item": dict(items.order_by("code").values_list("code", "name")),
              "case.department": dict(departments.order_by("code").values_list("code", "name")),
              "case.state": dict(CaseState.choices), "case.steps_done": steps}
    named = {name: dataclasses.replace(v, choices=tuple(labels[name])) if name in labels else v
             for name, v in variables(scope).items()}
    rows = rows_of(named, step_names=steps)
    for row in rows:
        if row["name"] in labels:
            row["choices"], row["choice_labels"] = list(labels[row["name"]]), labels[row["name"]]
    return rows


# -- the columns behind them -----------------------------------------------------------------------


def _ordinal(expr):
    from .models import WorkdayOrdinal

    return Subquery(WorkdayOrdinal.objects.filter(day=expr).values("ordinal")[:1], output_field=IntegerField())


def _done_tasks():
    from runtime.models import Task, TaskState

    return Task.objects.filter(case=OuterRef("pk"), state=TaskState.DONE)


def _course_columns() -> dict[str, tuple[str, object]]:
    """The facts of the case's course, as the runtime computes them (``rule_data._history_facts``)."""
    from runtime.models import UNJUDGED_PROCEDURES, Pause

    returns = (_done_tasks().filter(action="return").order_by().values("case")
               .annotate(n=Count("pk")).values("n"))
    last_end = (Pause.objects.filter(case=OuterRef(OuterRef("pk")), ended_on__isnull=False)
                .exclude(procedure__in=UNJUDGED_PROCEDURES).order_by().values("case")
                .annotate(last=Max("ended_on")).values("last"))
    # working days after the last end up to completion, by the working-day index (both ordinals)
    after = _ordinal(OuterRef("completed_on")) - _ordinal(Subquery(last_end, output_field=DateField()))
    return {
        "case.time_limit": ("th_time_limit", ExpressionWrapper(F("promised_limit_days") + F("extension_days"),
                                                               output_field=IntegerField())),
        "case.suspended": ("th_suspended", ExpressionWrapper(Q(paused_since__isnull=False), output_field=BooleanField())),
        "case.extended": ("th_extended", ExpressionWrapper(Q(extension_days__gt=0), output_field=BooleanField())),
        "case.returns": ("th_returns", Coalesce(Subquery(returns, output_field=IntegerField()), 0)),
        "case.days_after_special_procedure": ("th_after_special", ExpressionWrapper(after, output_field=IntegerField())),
    }


def _step_done(key) -> Q:
    """``case.steps_done`` contains ``key``: a step of that key done by someone (with a completion time)."""
    return Q(Exists(_done_tasks().filter(step_key=key, completed_at__isnull=False)))


def _decision_column(name: str, variable: Variable):
    """The latest non-empty decision of the step, typed like a form field (None: not comparable)."""
    _prefix, step, field = name.split(".", 2)
    if "." in field or "*" in field:
        return None
    text = KT(f"decision__{field}")
    value = {"string": text, "number": Cast(text, FloatField()), "date": Cast(text, DateField()),
             "boolean": ExpressionWrapper(Q(**{f"decision__{field}": True}), output_field=BooleanField())
             }.get(variable.kind)
    if value is None:
        return None
    latest = (_done_tasks().filter(step_key=step).exclude(decision={})
              .order_by(F("completed_at").desc(nulls_last=True), "-pk").annotate(th_value=value).values("th_value")[:1])
    output = {"string": None, "number": FloatField(), "date": DateField(), "boolean": BooleanField()}[variable.kind]
    return Subquery(latest, output_field=output) if output else Subquery(latest)


def _columns(scope: Scope, names: set[str], allowed: Mapping[str, Variable]) -> tuple[dict, dict]:
    """(variable → ORM alias or membership test, alias → expression) for the variables named."""
    fields: dict = {}
    annotations: dict = {}
    columns = {**_fact_columns(""), **_course_columns()}
    for document in _versions(scope):
        for name, column in _form_columns(document["form"]["schema"], "").items():
            columns.setdefault(name, column)
    for name in names:
        if name not in allowed:
            continue
        if name == "case.steps_done":
            fields[name] = _step_done
        elif name.startswith("decision."):
            expr = _decision_column(name, allowed[name])
            if expr is not None:
                alias = f"th_decision_{len(annotations)}"
                fields[name], annotations[alias] = alias, expr
        elif name in columns:
            if name == "case.days_after_special_procedure":
                from .workday_index import ensure_index

                ensure_index()  # the sweep keeps it current; a theme may run before any sweep
            alias, expr = columns[name]
            fields[name], annotations[alias] = alias, expr
    return fields, annotations


def _names(rule) -> set[str]:
    found, stack = set(), [rule]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for op, args in node.items():
                if op == "var":
                    first = args[0] if isinstance(args, list) and args else args
                    if isinstance(first, str):
                        found.add(first)
                else:
                    stack.append(args)
        elif isinstance(node, list):
            stack.extend(node)
    return found


# -- the query -------------------------------------------------------------------------------------


def scoped_cases(scope: Scope, today: dt.date) -> QuerySet:
    """The cases of the scope, before the condition: open and closed alike."""
    from designer.models import ApprovalItem
    from runtime.models import Case

    cases = Case.objects.all()
    if scope.items:
        cases = cases.filter(item__code__in=scope.items)
    if scope.departments:
        cases = cases.filter(department__code__in=scope.departments)
    if scope.service_themes:
        cases = cases.filter(item__in=ApprovalItem.objects.filter(themes__code__in=scope.service_themes).values("pk"))
    start, end = scope.bounds(today)
    basis = scope.basis_field()
    if start is not None:
        cases = cases.filter(**{f"{basis}__gte": start})
    if end is not None:
        cases = cases.filter(**{f"{basis}__lte": end})
    return cases


def compile_condition(condition, scope: Scope, today: dt.date) -> tuple[Q, dict]:
    """(Q, annotations it needs); raises ``RuleInvalid`` / ``RuleNotCompilable`` naming the path."""
    if condition is None:
        return Q(), {}
    allowed = variables(scope)
    fields, annotations = _columns(scope, _names(condition), allowed)
    return compile_to_q(condition, fields, variables=allowed, today=today), annotations


def matching_cases(scope: Scope, condition, today: dt.date) -> QuerySet:
    """The cases the theme finds: one query (the condition's columns as subqueries of it)."""
    q, annotations = compile_condition(condition, scope, today)
    cases = scoped_cases(scope, today)
    if annotations:
        cases = cases.alias(**annotations)
    return cases.filter(q)


def condition_text(condition) -> str:
    return "" if condition is None else json.dumps(condition, ensure_ascii=False)


@dataclasses.dataclass(frozen=True)
class Results:
    """What a run shows: the matching cases (a query, paged by the page) and its figures."""

    cases: QuerySet
    total: int
    by_department: list[tuple[str, int]]
    by_item: list[tuple[str, int]]
    weekly: list[tuple[dt.date, int]]  # Monday of each week with findings, by the period's date


def results(scope: Scope, condition, today: dt.date) -> Results:
    """The run of a theme: its figures from one grouped query over the one compiled query (by
    department, item and week at once: a few hundred rows, summed here), never case by case."""
    from collections import Counter

    from django.db.models.functions import TruncWeek

    cases = matching_cases(scope, condition, today)
    # a case not yet accepted (or completed) counts in the week it was received
    week = TruncWeek(Coalesce(scope.basis_field(), "received_on"), output_field=DateField())
    groups = (cases.order_by().annotate(th_week=week).values_list("department__name", "item__name", "th_week")
              .annotate(n=Count("pk")))
    by_department, by_item, weekly = Counter(), Counter(), Counter()
    for department, item, monday, n in groups:
        by_department[department] += n
        by_item[item] += n
        weekly[_as_date(monday)] += n
    return Results(cases=cases.select_related("item", "department").order_by("-received_on", "-pk"),
                   total=sum(by_department.values()), by_department=_most_first(by_department),
                   by_item=_most_first(by_item), weekly=sorted(weekly.items()))


def _most_first(counts) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
