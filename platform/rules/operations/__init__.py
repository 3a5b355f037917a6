"""The allow-list: every operation a rule may use, registered by name.

A rule can reach nothing that is not registered here. json-logic-qubit's own table (with its
``method`` and ``log``) is never consulted: rules are evaluated by :mod:`rules.evaluation` over
this registry alone.

Adding an operation is one decorated function in one of the modules below::

    @operation("upper", label="转大写", category="文本", params=("string",), result="string",
               nulls="propagate", examples=[Example({"upper": ["abc"]}, {}, "ABC")])
    def upper(text):
        \"\"\"Chinese description shown in the designer and in docs/rules.md.\"\"\"
        return text.upper()

The function receives the evaluated arguments (plus the evaluation context first when
``needs_context=True``); its signature gives the arity. Operations that decide themselves which
arguments to evaluate (``if``, ``and``, ``some`` …) register a *builder* with :func:`special`.
Each example is run by the tests and printed in the docs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.registry import Registry


@dataclass(frozen=True)
class Example:
    rule: Any
    data: Any
    result: Any
    today: str | None = None  # a fixed "today" for examples that depend on it


@dataclass(frozen=True)
class Operation:
    name: str
    label: str  # Chinese name shown in the designer's palette
    category: str
    doc: str
    min_args: int
    max_args: int | None  # None: any number
    params: tuple[str, ...] = ()  # static type expected per argument; the last one repeats
    result: str = "any"  # static type of the result
    examples: tuple[Example, ...] = ()
    fn: Callable | None = None  # plain operations: called with the evaluated arguments
    build: Callable | None = None  # special forms: build(args, compile_arg, path) -> closure
    needs_context: bool = False
    nulls: str = "pass"  # "propagate": a null argument gives null without calling ``fn``
    scoped: bool = False  # the second argument is evaluated once per element of the first
    check: Callable | None = None  # extra checks at save: check(args, types, path, report)
    raw_args: bool = field(default=False)  # arguments are literals the builder reads itself

    def param(self, index: int) -> str:
        if not self.params:
            return "any"
        return self.params[index] if index < len(self.params) else self.params[-1]


operations: Registry[Operation] = Registry("规则运算")


def _arity(fn: Callable, needs_context: bool) -> tuple[int, int | None]:
    params = list(inspect.signature(fn).parameters.values())
    if needs_context:
        params = params[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return sum(1 for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty), None
    required = sum(1 for p in params if p.default is p.empty)
    return required, len(params)


def operation(
    name: str,
    *,
    label: str,
    category: str,
    params: tuple[str, ...] = (),
    result: str = "any",
    examples: list[Example] | tuple[Example, ...] = (),
    nulls: str = "pass",
    needs_context: bool = False,
    check: Callable | None = None,
):
    """Register a plain operation: a function of its evaluated arguments."""

    def wrap(fn: Callable) -> Callable:
        min_args, max_args = _arity(fn, needs_context)
        operations.register(
            name,
            Operation(
                name=name, label=label, category=category, doc=inspect.getdoc(fn) or "",
                min_args=min_args, max_args=max_args, params=params, result=result,
                examples=tuple(examples), fn=fn, needs_context=needs_context, nulls=nulls, check=check,
            ),
        )
        return fn

    return wrap


def special(
    name: str,
    *,
    label: str,
    category: str,
    min_args: int,
    max_args: int | None,
    params: tuple[str, ...] = (),
    result: str = "any",
    examples: list[Example] | tuple[Example, ...] = (),
    scoped: bool = False,
    raw_args: bool = False,
    check: Callable | None = None,
):
    """Register a special form: a builder that compiles its arguments and returns a closure."""

    def wrap(build: Callable) -> Callable:
        operations.register(
            name,
            Operation(
                name=name, label=label, category=category, doc=inspect.getdoc(build) or "",
                min_args=min_args, max_args=max_args, params=params, result=result,
                examples=tuple(examples), build=build, scoped=scoped, raw_args=raw_args, check=check,
            ),
        )
        return build

    return wrap


# Fill the registry: importing this package makes it complete.
from . import core, dates, text  # noqa: E402, F401
