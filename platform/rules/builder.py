"""The condition builder's grammar: the json-logic rules the visual builder shows, as a tree.

The designer's builder (``static/rules/builder.js``) edits a rule as groups of lines
(全部满足 / 任一满足, nested) where each line is *variable · operator · value*. This module is
the same grammar on the server, so the server can tell whether a rule is within it; the
JavaScript copy is held to the same answers by ``tests/rules/builder_vectors.json``.

Tree nodes (plain JSON, the same in Python and JavaScript)::

    {"group": "all" | "any", "items": [node, node, …]}        # two items or more
    {"var": "<name>", "op": "<operator>", "value": …}          # one line

A rule is within the grammar when :func:`to_tree` maps it to a tree and :func:`to_rule` maps
that tree back to the very same rule. Only canonical shapes are read (``{"!": [x]}``, never the
unary sugar ``{"!": x}``; a group of one line is written as the line), so the round trip is
exact; any other rule is *not representable*: the builder keeps it verbatim and shows its JSON
under 高级, and nothing rewrites it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

GROUPS = {"all": "and", "any": "or"}
_GROUP_OF = {v: k for k, v in GROUPS.items()}


@dataclass(frozen=True)
class Operator:
    key: str
    label: str  # in Chinese, as the builder offers it
    kinds: tuple[str, ...]  # the variable kinds it is offered for ("any": all of them)
    value: str  # "none", "one", "two" (between) or "list"


# The builder's operators, in the order it offers them. The json-logic shape of each is in
# _write / _read below; builder.js carries the same table (a test compares them).
OPERATORS: dict[str, Operator] = {op.key: op for op in (
    Operator("eq", "等于", ("string", "number", "boolean", "date", "any"), "one"),
    Operator("ne", "不等于", ("string", "number", "boolean", "date", "any"), "one"),
    Operator("in", "属于其中之一", ("string", "number", "any"), "list"),
    Operator("contains", "包含", ("string", "array", "any"), "one"),
    Operator("not_contains", "不包含", ("string", "array", "any"), "one"),
    Operator("gt", "大于", ("number", "any"), "one"),
    Operator("ge", "大于等于", ("number", "any"), "one"),
    Operator("lt", "小于", ("number", "any"), "one"),
    Operator("le", "小于等于", ("number", "any"), "one"),
    Operator("before", "早于", ("date",), "one"),
    Operator("after", "晚于", ("date",), "one"),
    Operator("between", "在…之间", ("number", "date", "any"), "two"),
    Operator("empty", "为空", ("string", "number", "array", "date", "object", "boolean", "any"), "none"),
    Operator("not_empty", "不为空", ("string", "number", "array", "date", "object", "boolean", "any"), "none"),
)}
_SIMPLE = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=",
           "before": "date_before", "after": "date_after"}
_SIMPLE_OF = {v: k for k, v in _SIMPLE.items()}


class NotRepresentable(ValueError):
    """The rule is valid json-logic (or not) but outside the builder's grammar."""


def is_scalar(value) -> bool:
    """A value a line may hold: text, a yes/no, a finite number (never null, a list or an object)."""
    if isinstance(value, bool | str | int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def _var(node) -> str:
    if (isinstance(node, dict) and len(node) == 1 and isinstance(node.get("var"), str) and node["var"]):
        return node["var"]
    raise NotRepresentable("not a plain variable")


def _args(node, op: str, count: int) -> list:
    if not (isinstance(node, dict) and len(node) == 1 and op in node):
        raise NotRepresentable(op)
    args = node[op]
    if not isinstance(args, list) or len(args) != count:
        raise NotRepresentable(op)
    return args


def _scalar(value):
    if not is_scalar(value):
        raise NotRepresentable("not a scalar value")
    return value


def _line(rule: dict) -> dict:
    ((op, args),) = rule.items()
    if op == "<=" and isinstance(args, list) and len(args) == 3:
        low, var, high = args
        return {"var": _var(var), "op": "between", "value": [_scalar(low), _scalar(high)]}
    if op in _SIMPLE_OF:
        var, value = _args(rule, op, 2)
        return {"var": _var(var), "op": _SIMPLE_OF[op], "value": _scalar(value)}
    if op == "in":
        first, second = _args(rule, "in", 2)
        if isinstance(second, list):
            if not second or not all(is_scalar(v) for v in second):
                raise NotRepresentable("in: a list of values")
            return {"var": _var(first), "op": "in", "value": list(second)}
        return {"var": _var(second), "op": "contains", "value": _scalar(first)}
    if op == "!!":
        (var,) = _args(rule, "!!", 1)
        return {"var": _var(var), "op": "not_empty"}
    if op == "!":
        (inner,) = _args(rule, "!", 1)
        if isinstance(inner, dict) and len(inner) == 1 and "in" in inner:
            value, var = _args(inner, "in", 2)
            return {"var": _var(var), "op": "not_contains", "value": _scalar(value)}
        return {"var": _var(inner), "op": "empty"}
    raise NotRepresentable(op)


def _node(rule) -> dict:
    if not isinstance(rule, dict) or len(rule) != 1:
        raise NotRepresentable("not an operation")
    ((op, args),) = rule.items()
    if op in _GROUP_OF:
        if not isinstance(args, list) or len(args) < 2:
            raise NotRepresentable("a group holds two conditions or more")
        return {"group": _GROUP_OF[op], "items": [_node(a) for a in args]}
    return _line(rule)


def to_tree(rule) -> dict:
    """The builder's tree of ``rule``; :class:`NotRepresentable` when the builder cannot show it."""
    tree = _node(rule)
    # Compared as JSON text: in Python 1 == 1.0 == True, in a stored rule they differ.
    if json.dumps(to_rule(tree), ensure_ascii=False) != json.dumps(rule, ensure_ascii=False):
        raise NotRepresentable("the rule would not be written back the same")
    return tree


def representable(rule) -> bool:
    try:
        to_tree(rule)
    except NotRepresentable:
        return False
    return True


def to_rule(tree: dict):
    """The json-logic rule of a tree (``None`` for an empty group: no condition)."""
    if "group" in tree:
        rules = [r for r in (to_rule(item) for item in tree["items"]) if r is not None]
        if not rules:
            return None
        return rules[0] if len(rules) == 1 else {GROUPS[tree["group"]]: rules}
    var, op = {"var": tree["var"]}, tree["op"]
    if op in _SIMPLE:
        return {_SIMPLE[op]: [var, tree["value"]]}
    if op == "between":
        low, high = tree["value"]
        return {"<=": [low, var, high]}
    if op == "in":
        return {"in": [var, list(tree["value"])]}
    if op == "contains":
        return {"in": [tree["value"], var]}
    if op == "not_contains":
        return {"!": [{"in": [tree["value"], var]}]}
    if op == "empty":
        return {"!": [var]}
    if op == "not_empty":
        return {"!!": [var]}
    raise ValueError(f"unknown operator {op!r}")


def operators_json() -> list[dict]:
    """The operator table as the builder's script reads it (and a test compares with it)."""
    return [{"key": o.key, "label": o.label, "kinds": list(o.kinds), "value": o.value} for o in OPERATORS.values()]


def _value_words(value, choice_labels: Mapping) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        return f"“{choice_labels.get(value, value)}”"
    return json.dumps(value)


def _words(node: dict, variables: Mapping[str, dict], nested: bool) -> str:
    if "group" in node:
        joiner = "，并且" if node["group"] == "all" else "，或者"
        text = joiner.join(_words(item, variables, True) for item in node["items"])
        return f"（{text}）" if nested else text
    variable = variables.get(node["var"], {})
    labels = variable.get("choice_labels") or {}
    name = variable.get("label") or node["var"]
    op = OPERATORS[node["op"]]
    if op.value == "none":
        return f"{name}{op.label}"
    if op.value == "two":
        low, high = node["value"]
        return f"{name}在{_value_words(low, labels)}至{_value_words(high, labels)}之间"
    if op.value == "list":
        return f"{name}{op.label}：" + "、".join(_value_words(v, labels) for v in node["value"])
    return f"{name}{op.label}{_value_words(node['value'], labels)}"


def describe(rule, variables: Mapping[str, dict]) -> str | None:
    """A rule within the grammar in Chinese words (``是否委托代理人办理等于“是”``), with the
    titles of ``variables`` (name → a row of ``rules.selectors.builder_variables``); ``None`` for
    a rule outside it (pages then show its JSON)."""
    try:
        tree = to_tree(rule)
    except NotRepresentable:
        return None
    return _words(tree, variables, False)


def to_branches(rule) -> list[tuple[object, str]]:
    """A rule choosing a code as rows “when ⟨condition⟩ then ⟨code⟩”, first match wins:
    ``{"if": [c1, "A", c2, "B"]}`` → ``[(c1, "A"), (c2, "B")]`` (no match: null, so the caller's
    default applies — a step's department rule falls back to the step's department). Each
    condition is any rule (the builder shows it, or keeps it as JSON); anything else, such as an
    ``else`` value or a computed code, is :class:`NotRepresentable`."""
    if not (isinstance(rule, dict) and len(rule) == 1 and isinstance(rule.get("if"), list)):
        raise NotRepresentable("not an if")
    args = rule["if"]
    if not args or len(args) % 2 or not all(isinstance(v, str) for v in args[1::2]):
        raise NotRepresentable("if: condition / code pairs")
    return list(zip(args[0::2], args[1::2], strict=True))


def from_branches(rows) -> dict | None:
    """The rule of :func:`to_branches`' rows (``None`` without rows)."""
    args = [part for condition, code in rows for part in (condition, code)]
    return {"if": args} if args else None
