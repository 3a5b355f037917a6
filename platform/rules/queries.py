"""Compilation of a rule into a Django ``Q``, so the database selects matching cases in one query.

The subset supervision rules use translates: ``and``/``or``/``!``/``!!``/``if`` in conditions,
comparisons, ``in`` on a written list, ``in`` of a written text, number or boolean in an array
field (a multiple choice, :class:`~rules.json_membership.JSONHas`), ``+ - * /`` on numeric facts,
``date_before`` and ``date_after`` on date facts, truthiness of a fact, and any part without
variables (``today``, ``{"+": [1, 2]}``), which is computed once here. Anything else raises
:class:`~rules.errors.RuleNotCompilable` naming the node: never a query that means something else.

The interpreter's two-valued semantics are kept in SQL's three-valued logic by guarding
comparisons with ``IS NOT NULL``: a comparison with a missing value is *false* (not unknown),
so ``!`` negates it exactly as the interpreter does. Guards are only written where a negation
can see them: where a condition occurs positively (under an even number of ``!``), an unknown
already fails the ``WHERE`` exactly as false would (AND and OR are monotone in Kleene's logic),
so the query stays as lean as a hand-written one. Division casts to floating
point (SQL would divide integers) and divides by ``NULLIF(x, 0)`` (null, as in the interpreter).
Text is only compared for equality (collations order text differently from Python).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import reduce

from django.db.models import Expression, F, FloatField, Q, Value
from django.db.models.expressions import ExpressionWrapper
from django.db.models.functions import Cast, Coalesce, NullIf
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, In, IsNull, LessThan, LessThanOrEqual

from .errors import RuleEvaluationError, RuleInvalid, RuleNotCompilable, summarise
from .evaluation import compile_rule
from .facts import fact_variables
from .json_membership import SCALARS as JSON_SCALARS
from .json_membership import JSONHas
from .semantics import is_date_text, strict_equal, truthy
from .static import Variable
from .validation import arg_path, find_problems, normalise_args

Cond = bool | Q  # a compiled condition: a constant or a query


@dataclass(frozen=True)
class _Const:
    value: object


@dataclass(frozen=True)
class _Expr:
    expr: Expression
    kind: str  # number, string, boolean, date
    nullable: bool = True


# -- conditions with constant folding ---------------------------------------------------------


def _and(a: Cond, b: Cond) -> Cond:
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    return a & b


def _or(a: Cond, b: Cond) -> Cond:
    if a is True or b is True:
        return True
    if a is False:
        return b
    if b is False:
        return a
    return a | b


def _not(a: Cond) -> Cond:
    return (not a) if isinstance(a, bool) else ~a


def _isnull(e: _Expr) -> Cond:
    return Q(IsNull(e.expr, True)) if e.nullable else False


def _notnull(e: _Expr) -> Cond:
    return Q(IsNull(e.expr, False)) if e.nullable else True


_ORDER = {"<": LessThan, "<=": LessThanOrEqual, ">": GreaterThan, ">=": GreaterThanOrEqual}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


class _Compiler:
    def __init__(self, fields: Mapping[str, str | Callable[[object], Q]], variables: Mapping[str, Variable],
                 today: dt.date | None):
        self.fields = fields
        self.variables = variables
        self.today = today

    def refuse(self, path: str, message: str):
        raise RuleNotCompilable(f"规则不能转换为数据库查询：{path} {message}", details={path: [message]})

    # -- constants ---------------------------------------------------------------------------

    def _is_constant(self, node) -> bool:
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                ((name, args),) = item.items()
                if name in ("var", "missing", "missing_some"):
                    return False
                stack.append(args)
            elif isinstance(item, list):
                stack.extend(item)
        return True

    def _fold(self, node, path: str):
        try:
            return compile_rule(node).evaluate({}, today=self.today)
        except RuleEvaluationError as exc:
            self.refuse(path, f"常量部分计算出错：{exc.message}")

    # -- conditions --------------------------------------------------------------------------

    def guard(self, e: _Expr, positive: bool) -> Cond:
        return True if positive else _notnull(e)

    def cond(self, node, path: str, positive: bool = True) -> Cond:
        if not isinstance(node, dict) or self._is_constant(node):
            return truthy(self._fold(node, path) if isinstance(node, dict | list) else node)
        ((name, raw),) = node.items()
        args = normalise_args(raw)
        paths = [arg_path(path, name, raw, i) for i in range(len(args))]
        here = f"{path}.{name}"
        if name == "and":
            return reduce(_and, (self.cond(a, p, positive) for a, p in zip(args, paths, strict=True)), True)
        if name == "or":
            return reduce(_or, (self.cond(a, p, positive) for a, p in zip(args, paths, strict=True)), False)
        if name == "!":
            return _not(self.cond(args[0], paths[0], not positive))
        if name == "!!":
            return self.cond(args[0], paths[0], positive)
        if name in ("if", "?:"):
            result: Cond = self.cond(args[-1], paths[-1], positive) if len(args) % 2 else False
            for i in range(len(args) - 2 - len(args) % 2, -1, -2):
                then = _and(self.cond(args[i], paths[i], positive), self.cond(args[i + 1], paths[i + 1], positive))
                otherwise = _and(_not(self.cond(args[i], paths[i], not positive)), result)
                result = _or(then, otherwise)
            return result
        if name in ("==", "==="):
            return self.equal(args, paths, here, positive)
        if name in ("!=", "!=="):
            return _not(self.equal(args, paths, here, not positive))
        if name in _ORDER:
            values = [self.value(a, p) for a, p in zip(args, paths, strict=True)]
            pairs = list(zip(values, values[1:], strict=False))
            return reduce(_and, (self.order(name, a, b, here, positive) for a, b in pairs), True)
        if name in ("date_before", "date_after"):
            a, b = (self.value(x, p) for x, p in zip(args, paths, strict=True))
            return self.order("<" if name == "date_before" else ">", a, b, here, positive, dates=True)
        if name == "in":
            return self.member(args, paths, here, positive)
        return self.truth(self.value(node, path), here, positive)

    def truth(self, v, path: str, positive: bool) -> Cond:
        if isinstance(v, _Const):
            return truthy(v.value)
        if v.kind == "number":
            return _and(self.guard(v, positive), ~Q(Exact(v.expr, 0)))
        if v.kind == "string":
            return _and(self.guard(v, positive), ~Q(Exact(v.expr, "")))
        if v.kind == "boolean":
            return _and(self.guard(v, positive), Q(Exact(v.expr, True)))
        if v.kind == "date":
            return _notnull(v)
        self.refuse(path, "无法判断这个值的真假")

    def equal(self, args, paths, here, positive: bool) -> Cond:
        a, b = (self.value(x, p) for x, p in zip(args, paths, strict=True))
        if isinstance(a, _Const) and isinstance(b, _Const):
            return strict_equal(a.value, b.value)
        if isinstance(a, _Const):
            a, b = b, a
        if isinstance(b, _Const):
            if b.value is None:
                return _isnull(a)
            literal = self._literal_for(a, b.value)
            if literal is _NO_MATCH:
                return False
            return _and(self.guard(a, positive), Q(Exact(a.expr, literal)))
        both_null = _and(_isnull(a), _isnull(b))
        if a.kind != b.kind:
            if {a.kind, b.kind} == {"string", "date"}:
                self.refuse(here, "文本与日期字段不能在数据库中比较")
            return both_null
        guards = _and(self.guard(a, positive), self.guard(b, positive))
        return _or(both_null, _and(guards, Q(Exact(a.expr, b.expr))))

    def order(self, op: str, a, b, here: str, positive: bool, *, dates: bool = False) -> Cond:
        if isinstance(a, _Const) and isinstance(b, _Const):  # e.g. a division by a literal 0
            name = ("date_before" if op == "<" else "date_after") if dates else op
            return truthy(self._fold({name: [a.value, b.value]}, here))
        if isinstance(a, _Const):
            a, b, op = b, a, _MIRROR[op]
        if dates and a.kind != "date":
            self.refuse(here, "日期比较需要日期字段")
        if a.kind not in ("number", "date"):
            self.refuse(here, "数据库中只比较数字或日期的大小（文本的排序规则与规则引擎不同）")
        if isinstance(b, _Const):
            if b.value is None:
                return False
            literal = self._literal_for(a, b.value, dates=dates)
            if literal is _NO_MATCH:
                self.refuse(here, "比较的两边类型不同")
            return _and(self.guard(a, positive), Q(_ORDER[op](a.expr, _whole(literal))))
        if a.kind != b.kind:
            self.refuse(here, "比较的两边类型不同")
        return _and(_and(self.guard(a, positive), self.guard(b, positive)), Q(_ORDER[op](a.expr, b.expr)))

    def member(self, args, paths, here, positive: bool) -> Cond:
        item = self.value(args[0], paths[0])
        container = args[1]
        if isinstance(container, dict) and not self._is_constant(container):
            return self.element_of(item, container, paths, here)
        if not isinstance(container, list) or not self._is_constant(container):
            if container is None:
                return False
            self.refuse(paths[1], "数据库查询中“包含于”只支持直接写出的列表")
        values = self._fold(container, paths[1]) if container else []
        if isinstance(item, _Const):
            return any(strict_equal(item.value, v) for v in values)
        matches = [m for m in (self._literal_for(item, v) for v in values if v is not None) if m is not _NO_MATCH]
        found: Cond = _and(self.guard(item, positive), Q(In(item.expr, matches))) if matches else False
        return _or(found, _isnull(item) if None in values else False)

    def element_of(self, item, container: dict, paths, here) -> Cond:
        """A constant in an array field (a multiple choice): ``{"in": ["x", {"var": "types"}]}``."""
        ((name, raw),) = container.items()
        args = normalise_args(raw)
        if name != "var" or len(args) != 1:
            self.refuse(paths[1], "数据库查询中“包含于”只支持直接写出的列表或多选字段")
        variable = self.variables.get(str(args[0]))
        field = self.fields.get(str(args[0]))
        if variable is None or variable.kind != "array" or field is None:
            self.refuse(paths[1], "数据库查询中“包含于”只支持直接写出的列表或多选字段")
        if not isinstance(item, _Const) or type(item.value) not in JSON_SCALARS:
            self.refuse(paths[0], "在多选字段中查找时，数据库查询只支持直接写出的文本、数字或是非值")
        if callable(field):  # a list kept in rows, not in a JSON value: the caller's own test
            return field(item.value)
        return Q(JSONHas(F(field), item.value))

    # -- values ------------------------------------------------------------------------------

    def _literal_for(self, e: _Expr, value, *, dates: bool = False):
        """``value`` as the database should see it next to ``e``, or _NO_MATCH if never equal."""
        if e.kind == "number":
            return value if type(value) in (int, float) else _NO_MATCH
        if e.kind == "date":
            return dt.date.fromisoformat(value) if is_date_text(value) else _NO_MATCH
        if e.kind == "string":
            return value if isinstance(value, str) and not dates else _NO_MATCH
        if e.kind == "boolean":
            return value if isinstance(value, bool) else _NO_MATCH
        return _NO_MATCH

    def value(self, node, path: str):
        if not isinstance(node, dict):
            if isinstance(node, list):
                self.refuse(path, "数据库查询中不能在这里使用列表")
            return _Const(node)
        if self._is_constant(node):
            return _Const(self._fold(node, path))
        ((name, raw),) = node.items()
        args = normalise_args(raw)
        paths = [arg_path(path, name, raw, i) for i in range(len(args))]
        here = f"{path}.{name}"
        if name == "var":
            return self.variable(args, here)
        if name in ("+", "-", "*", "/"):
            return self.arithmetic(name, [self.value(a, p) for a, p in zip(args, paths, strict=True)], here)
        self.refuse(here, f"“{name}”运算不能转换为数据库查询")

    def variable(self, args, here: str) -> _Expr:
        name = str(args[0])
        field = self.fields.get(name)
        variable = self.variables.get(name)
        if field is None or variable is None:
            self.refuse(here, f"变量“{name}”没有对应的数据库字段")
        if variable.kind not in ("number", "string", "boolean", "date"):
            self.refuse(here, f"变量“{name}”的类型不能在数据库中比较")
        # Numbers are typed as float for the ORM, so a literal such as 0.5 is never rounded
        # to the integer column's type (an IntegerField would turn it into 0) before comparison.
        column = _float(F(field)) if variable.kind == "number" else F(field)
        expr = _Expr(column, variable.kind)
        if len(args) > 1:
            default = self.value(args[1], f"{here}[1]")
            if not isinstance(default, _Const):
                self.refuse(here, "默认值必须是常量")
            if default.value is not None:
                literal = self._literal_for(expr, default.value)
                if literal is _NO_MATCH:
                    self.refuse(here, "默认值的类型与变量不同")
                typed = {"output_field": FloatField()} if variable.kind == "number" else {}
                expr = _Expr(Coalesce(expr.expr, Value(literal), **typed), variable.kind, nullable=False)
        return expr

    def arithmetic(self, op: str, values: list, here: str):
        for v in values:
            if isinstance(v, _Const) and v.value is None:
                return _Const(None)  # null in, null out
            kind = type(v.value) if isinstance(v, _Const) else v.kind
            if kind not in (int, float, "number"):
                self.refuse(here, "算术运算只支持数字字段")
        exprs = [Value(v.value) if isinstance(v, _Const) else v.expr for v in values]
        if op == "-" and len(exprs) == 1:
            return _Expr(_float(Value(0) - exprs[0]), "number")
        if op == "/":
            top, bottom = values
            if isinstance(bottom, _Const):
                if bottom.value == 0:
                    return _Const(None)
                return _Expr(Cast(exprs[0], FloatField()) / Value(float(bottom.value)), "number")
            return _Expr(Cast(exprs[0], FloatField()) / NullIf(Cast(exprs[1], FloatField()), Value(0.0)), "number")
        combine = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y}[op]
        return _Expr(_float(reduce(combine, exprs)), "number")


def _whole(literal):
    """A whole number compared as an integer (``-2.0`` as ``-2``; the same order for any number):
    typed as float for the ORM, PostgreSQL reads it as ``numeric`` and compares an integer column
    by converting every row to ``numeric``, a clock rule's three comparisons over a million rows."""
    if type(literal) in (int, float) and float(literal).is_integer() and abs(literal) < 2 ** 53:
        return Value(int(literal))
    return literal


def _float(expr) -> Expression:
    """Arithmetic over mixed integer and float operands is typed as float for the ORM."""
    return ExpressionWrapper(expr, output_field=FloatField())


_NO_MATCH = object()


def compile_to_q(
    rule,
    fields: Mapping[str, str | Callable[[object], Q]],
    *,
    variables: Mapping[str, Variable] | None = None,
    today: dt.date | None = None,
) -> Q:
    """A ``Q`` selecting exactly the rows on which ``rule`` is true.

    ``fields`` maps each variable to an ORM path on the model being filtered, e.g.
    ``{"case.working_days_left": "clock__working_days_left", "case.department": "department__code"}``;
    an array variable may instead map to a function ``value -> Q`` (membership kept in other rows,
    e.g. the steps a case has done);
    ``variables`` gives their types (default: the case facts catalogue). ``today`` fixes the
    value of ``{"today": []}``. Raises RuleInvalid for an invalid rule and RuleNotCompilable
    for a rule outside the compilable subset.
    """
    variables = fact_variables() if variables is None else dict(variables)
    problems = find_problems(rule, variables)
    if problems:
        raise RuleInvalid(summarise(problems, "规则有误"), details=problems)
    if today is None:
        from django.utils import timezone

        today = timezone.localdate()
    result = _Compiler(fields, variables, today).cond(rule, "$")
    if result is True:
        return Q()
    if result is False:
        return Q(pk__in=[])
    return result
