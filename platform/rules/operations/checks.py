"""Checks at save time that catch rules which would compare or combine values of the wrong types.

Each check receives the raw arguments, what validation inferred about them
(:class:`rules.static.StaticInfo`) and ``report(index, message)`` (``index`` None: the node
itself). Unknown types (``any``, ``null``) always pass: the run-time semantics decide.
"""

from __future__ import annotations

from ..facts import labelled_values
from ..semantics import TYPE_LABELS, is_date_like, is_date_text, type_of
from ..static import StaticInfo

_OPEN = {"any", "null"}


def _label(kind: str) -> str:
    return TYPE_LABELS.get(kind, kind)


def _fits(expected: str, info: StaticInfo) -> bool:
    """Can a value described by ``info`` stand where ``expected`` is wanted?"""
    kind = info.kind
    if expected == "any" or kind in _OPEN or kind == expected:
        return True
    if expected == "date" and kind == "string":
        return not info.is_literal or is_date_like(info.literal)
    if expected == "string" and kind == "date":
        return True
    return False


def param_problem(expected: str, info: StaticInfo) -> str | None:
    if _fits(expected, info):
        return None
    if expected == "date" and info.is_literal and isinstance(info.literal, str):
        return f"“{info.literal}”不是有效日期，日期应写作 YYYY-MM-DD（或带时区的日期时间）"
    return f"这里需要{_label(expected)}，但写的是{_label(info.kind)}"


def _same_family(a: StaticInfo, b: StaticInfo) -> str | None:
    """A message if two values can never be meaningfully compared, else None."""
    if a.kind in _OPEN or b.kind in _OPEN:
        return None
    textual = {"string", "date"}
    if a.kind in textual and b.kind in textual:
        for date_side, other in ((a, b), (b, a)):
            if date_side.kind == "date" and other.is_literal and not is_date_text(other.literal):
                return f"“{other.literal}”不是有效日期，日期应写作 YYYY-MM-DD"
        return None
    if a.kind != b.kind:
        return f"比较的两边类型不同：{_label(a.kind)}与{_label(b.kind)}"
    return None


def _choice_problem(var_side: StaticInfo, literal) -> str | None:
    variable = var_side.variable
    if variable is None or not variable.choices or literal is None:
        return None
    if literal not in variable.choices:
        labels = labelled_values(variable.name)
        allowed = "、".join(f"{labels[c]}（{c}）" if c in labels else str(c) for c in variable.choices)
        name = variable.label or variable.name
        return f"“{literal}”不是“{name}”的可选值（可选：{allowed}）"
    return None


def check_comparable(args, infos: list[StaticInfo], report) -> None:
    a, b = infos
    problem = _same_family(a, b)
    if problem:
        report(None, problem + "，结果总是不相等")
        return
    for index, (side, other) in enumerate(((a, b), (b, a))):
        if other.is_literal:
            problem = _choice_problem(side, other.literal)
            if problem:
                report(1 - index, problem)


def check_orderable(args, infos: list[StaticInfo], report) -> None:
    for index, info in enumerate(infos):
        if info.kind not in _OPEN and info.kind not in ("number", "string", "date"):
            report(index, f"{_label(info.kind)}不能比较大小")
            return
    for left, right in zip(infos, infos[1:], strict=False):
        problem = _same_family(left, right)
        if problem:
            report(None, problem)
            return


def check_membership(args, infos: list[StaticInfo], report) -> None:
    item, container = infos
    if container.kind not in _OPEN and container.kind not in ("array", "string", "date"):
        report(1, f"“包含于”的第二个参数需要列表或文本，但写的是{_label(container.kind)}")
        return
    if container.kind in ("string", "date") and item.kind not in _OPEN | {"string", "date"}:
        report(0, f"在文本中查找时需要文本，但写的是{_label(item.kind)}")
        return
    if container.is_literal and isinstance(container.literal, list) and item.kind not in _OPEN:
        for value in container.literal:
            if isinstance(value, dict | list):
                continue  # computed elements are checked where they are
            element = StaticInfo(kind=type_of(value), literal=value)
            problem = _same_family(item, element) or _choice_problem(item, value)
            if problem:
                report(1, problem)
                return
