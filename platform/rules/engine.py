"""Validation and evaluation of json-logic rules over an allow-listed set of operations.

This is the public contract other apps code against:

* ``validate_rule(rule, *, variables=None)`` raises :class:`RuleInvalid` whose ``details`` maps
  the JSON path of each offending node (``$.and[1].var``) to Chinese messages; ``variables`` is
  the set of dotted variable names the rule may read (``None``: do not check variables);
* ``evaluate_rule(rule, data)`` evaluates a validated rule on plain JSON data and raises
  :class:`RuleEvaluationError` instead of any other exception.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from core.errors import InvalidInput, PlatformError

MAX_DEPTH = 64
MAX_NODES = 5000

# The library's operations that a rule written by an administrator may use. Deliberately absent:
# "method" (calls any attribute named by the rule: a path to arbitrary code) and "log" (prints).
ALLOWED = frozenset(
    {"==", "===", "!=", "!==", ">", ">=", "<", "<=", "!", "!!", "and", "or", "if", "?:", "in", "cat",
     "substr", "+", "-", "*", "/", "%", "min", "max", "merge", "var", "missing", "missing_some", "some", "all",
     "none", "map", "filter", "reduce"}
)


class RuleInvalid(InvalidInput):
    code = "rule_invalid"
    default_message = "规则有误"


class RuleEvaluationError(PlatformError):
    code = "rule_evaluation_error"
    default_message = "规则计算出错"


def _walk(node, path: str, depth: int, problems: dict, variables, counter: list[int]):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        problems.setdefault("$", []).append(f"规则过大：节点数超过 {MAX_NODES}")
        raise StopIteration
    if depth > MAX_DEPTH:
        problems.setdefault(path, []).append(f"规则嵌套过深：超过 {MAX_DEPTH} 层")
        raise StopIteration
    if isinstance(node, list):
        for i, child in enumerate(node):
            _walk(child, f"{path}[{i}]", depth + 1, problems, variables, counter)
        return
    if not isinstance(node, dict):
        return
    if len(node) != 1:
        problems.setdefault(path, []).append("每个运算节点只能有一个运算符")
        return
    (op, args), = node.items()
    here = f"{path}.{op}"
    if op not in ALLOWED:
        problems.setdefault(here, []).append(f"不支持的运算“{op}”")
        return
    if op == "var" and variables is not None:
        name = args[0] if isinstance(args, list) and args else args
        if isinstance(name, str) and name and name not in variables:
            problems.setdefault(here, []).append(f"变量“{name}”不存在")
    _walk(args, here, depth + 1, problems, variables, counter)


def validate_rule(rule, *, variables: Iterable[str] | None = None) -> None:
    problems: dict[str, list[str]] = {}
    known = None if variables is None else frozenset(variables)
    try:
        _walk(rule, "$", 0, problems, known, [0])
    except StopIteration:
        pass
    if problems:
        raise RuleInvalid("规则有误：" + "；".join(f"{p} {m}" for p, ms in problems.items() for m in ms),
                          details=problems)


def evaluate_rule(rule, data):
    validate_rule(rule)
    try:
        return _evaluate(rule, copy.deepcopy(data))
    except RuleInvalid:
        raise
    except Exception as exc:  # the library raises arbitrary types on bad data
        raise RuleEvaluationError(f"规则计算出错：{exc}") from exc


def _evaluate(rule, data):
    from json_logic import jsonLogic

    return jsonLogic(rule, data)
