"""Evaluation: a validated rule is compiled once into a tree of Python closures.

Compiling does the work an interpreter repeats on every call (finding the operator, normalising
the arguments, choosing the implementation), so a compiled rule evaluates several times faster
than json-logic-qubit interprets the same rule, and all the safety checks happen once, at
compile time. Only registered operations (rules.operations) can be compiled.

A failure at run time is re-run once with tracing to find the path of the node that failed, so
the fast path carries no bookkeeping. No exception other than
:class:`~rules.errors.RuleEvaluationError` leaves :meth:`CompiledRule.evaluate`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .context import Context
from .errors import RuleEvaluationError, RuleInvalid, summarise
from .operations import Operation, operations
from .semantics import EvalFailure, json_copy
from .validation import arg_path, find_problems, normalise_args

_CONTAINERS = (list, dict)


def failure_message(exc: BaseException) -> str:
    if isinstance(exc, EvalFailure):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "数据嵌套过深，无法计算"
    if isinstance(exc, MemoryError):
        return "计算所需内存过大"
    if isinstance(exc, OverflowError):
        return "数值或日期超出可计算范围"
    return f"计算出错（{type(exc).__name__}）"


# -- the compiler -------------------------------------------------------------------------------


class _Constant:
    """Marks a compiled literal, so that operations can take its value directly."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __call__(self, data, ctx):
        return self.value


def _plain(op: Operation, parts: list):
    fn = op.fn
    if op.needs_context:
        def run_ctx(data, ctx):
            values = [p(data, ctx) for p in parts]
            if op.nulls == "propagate" and any(v is None for v in values):
                return None
            return fn(ctx, *values)

        return run_ctx
    if op.nulls == "propagate":
        if len(parts) == 2:
            a, b = parts

            def run2_nulls(data, ctx):
                x, y = a(data, ctx), b(data, ctx)
                return None if x is None or y is None else fn(x, y)

            return run2_nulls

        def run_nulls(data, ctx):
            values = [p(data, ctx) for p in parts]
            return None if any(v is None for v in values) else fn(*values)

        return run_nulls
    if len(parts) == 1:
        (a,) = parts
        return lambda data, ctx: fn(a(data, ctx))
    if len(parts) == 2:
        a, b = parts
        if isinstance(b, _Constant):
            k = b.value
            return lambda data, ctx: fn(a(data, ctx), k)
        return lambda data, ctx: fn(a(data, ctx), b(data, ctx))
    return lambda data, ctx: fn(*[p(data, ctx) for p in parts])


def _traced(inner, path: str, name: str):
    def run(data, ctx):
        try:
            value = inner(data, ctx)
        except Exception as exc:
            if ctx.failure is None:
                ctx.failure = (path, failure_message(exc))
            raise
        ctx.trace.append((path, name, value))
        return value

    return run


def _build(node, path: str, trace: bool):
    kind = type(node)
    if kind is list:
        parts = [_build(v, f"{path}[{i}]", trace) for i, v in enumerate(node)]
        if all(isinstance(p, _Constant) for p in parts):
            return _Constant([p.value for p in parts])
        return lambda data, ctx: [p(data, ctx) for p in parts]
    if kind is not dict:
        return _Constant(node)
    ((name, raw),) = node.items()
    op = operations.get(name)
    args = normalise_args(raw)

    def arg(index: int):
        return _build(args[index], arg_path(path, name, raw, index), trace)

    if op.build is not None:
        run = op.build(args, arg)
    else:
        run = _plain(op, [arg(i) for i in range(len(args))])
    return _traced(run, f"{path}.{name}", name) if trace else run


# -- compiled rules -----------------------------------------------------------------------------


@dataclass
class Step:
    path: str
    op: str
    label: str
    value: Any


@dataclass
class Explanation:
    """A test run: the result (or the error) and the value of every sub-expression in order."""

    result: Any = None
    error: RuleEvaluationError | None = None
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "ok": self.error is None,
            "result": self.result,
            "error": None if self.error is None else {
                "code": self.error.code, "message": self.error.message, "details": self.error.details,
            },
            "steps": [{"path": s.path, "op": s.op, "label": s.label, "value": s.value} for s in self.steps],
            "notes": self.notes,
        }


class CompiledRule:
    """A validated rule, ready to evaluate many times. Build it with :func:`compile_rule`."""

    __slots__ = ("source", "_run", "_traced_run")

    def __init__(self, source):
        self.source = source
        self._run = _build(source, "$", trace=False)
        self._traced_run = None

    def evaluate(self, data, *, today: dt.date | None = None):
        """The rule's value on ``data`` (plain JSON; never modified). Raises only RuleEvaluationError."""
        ctx = Context(today)
        try:
            result = self._run(data, ctx)
            return json_copy(result) if type(result) in _CONTAINERS else result
        except Exception as exc:
            raise self._locate(data, ctx, exc) from exc

    def holds(self, data, *, today: dt.date | None = None) -> bool:
        """True if the rule's value is truthy; raises RuleEvaluationError (callers fail closed)."""
        from .semantics import truthy

        return truthy(self.evaluate(data, today=today))

    def explain(self, data, *, today: dt.date | None = None) -> Explanation:
        """Evaluate step by step for a test run; an evaluation error is part of the answer."""
        ctx = Context(today, trace=True)
        explanation = Explanation()
        try:
            explanation.result = json_copy(self._traced()(data, ctx))
        except Exception as exc:
            explanation.error = self._error(ctx, exc)
        explanation.steps = [_step(path, name, value) for path, name, value in ctx.trace]
        explanation.notes = list(ctx.notes)
        return explanation

    # -- failures -------------------------------------------------------------------------------

    def _traced(self):
        if self._traced_run is None:
            self._traced_run = _build(self.source, "$", trace=True)
        return self._traced_run

    def _locate(self, data, ctx: Context, exc: Exception) -> RuleEvaluationError:
        """Re-run with tracing to name the node that failed (only ever on the error path)."""
        traced = Context(ctx.today if ctx._today is not None else None, trace=True)
        try:
            self._traced()(data, traced)
        except Exception as again:
            return self._error(traced, again)
        return RuleEvaluationError(f"规则计算出错：{failure_message(exc)}", details={"$": [failure_message(exc)]})

    @staticmethod
    def _error(ctx: Context, exc: Exception) -> RuleEvaluationError:
        path, message = ctx.failure or ("$", failure_message(exc))
        return RuleEvaluationError(f"规则计算出错：{path} {message}", details={path: [message]})


def _step(path: str, name: str, value) -> Step:
    op = operations.get(name)
    try:
        shown = json_copy(value)
    except EvalFailure:
        shown = None
    return Step(path=path, op=name, label=op.label, value=shown)


def compile_rule(rule, *, variables=None) -> CompiledRule:
    """Validate ``rule`` (see :func:`rules.validate_rule`) and compile it; raises RuleInvalid."""
    problems = find_problems(rule, variables)
    if problems:
        raise RuleInvalid(summarise(problems, "规则有误"), details=problems)
    # A private copy: a caller editing its rule afterwards cannot change the compiled one.
    return CompiledRule(json_copy(rule))
