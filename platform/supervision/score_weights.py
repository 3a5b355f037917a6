"""The score formula as a table of deductions, the way the efficiency office writes it.

得分 = 基础分 − Σ 各项数量 × 每单位扣分, never below 最低分. In json-logic (the district default
has this shape)::

    {"max": [floor, {"-": [base, {"+": [{"*": [2, {"var": "late"}]}, {"var": "returns"}, …]}]}]}

A deduction of 1 is written as the bare variable, a negative one is a bonus. :func:`weights_of`
reads only that shape and only when :func:`rule_of` writes it back the very same (the rule
builder's round trip, ``rules.builder``); any other formula stays JSON under 高级 on the page.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from .performance import FIGURES

# What one unit of each figure is, for the table's wording (每件扣…分).
UNITS = {
    "received": "件", "accepted": "件", "completed": "件", "on_time": "件", "late": "件",
    "avg_days": "个工作日", "p90_days": "个工作日", "returns": "次", "yellow_cards": "张",
    "red_cards": "张", "complaints": "件", "joint_delays": "次",
}


@dataclass(frozen=True)
class Weights:
    base: float = 100
    floor: float = 0
    deductions: dict[str, float] = field(default_factory=dict)  # figure → points per unit, never 0


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _plain(value: float) -> int | float:
    """2.0 → 2: a whole number is stored as one, as a person would write it."""
    return int(value) if float(value).is_integer() else value


def _term(node) -> tuple[str, float] | None:
    if isinstance(node, dict) and list(node) == ["var"] and node["var"] in FIGURES:
        return node["var"], 1
    if isinstance(node, dict) and list(node) == ["*"] and isinstance(node["*"], list) and len(node["*"]) == 2:
        weight, var = node["*"]
        if _number(weight) and isinstance(var, dict) and list(var) == ["var"] and var["var"] in FIGURES:
            return var["var"], weight
    return None


def weights_of(rule) -> Weights | None:
    """The table of ``rule``; None when it is not a table of deductions."""
    try:
        ((op, (floor, inner)),) = rule.items()
        ((minus, (base, total)),) = inner.items()
        ((plus, terms),) = total.items()
    except (AttributeError, TypeError, ValueError):
        return None
    if (op, minus, plus) != ("max", "-", "+") or not (_number(floor) and _number(base)) or not isinstance(terms, list):
        return None
    pairs = [_term(t) for t in terms]
    if not pairs or None in pairs or len({k for k, _ in pairs}) != len(pairs):
        return None
    weights = Weights(base=base, floor=floor, deductions=dict(pairs))
    same = json.dumps(rule_of(weights), ensure_ascii=False) == json.dumps(rule, ensure_ascii=False)
    return weights if same else None


def rule_of(weights: Weights) -> dict:
    """The json-logic formula of a table, its lines in the figures' order."""
    terms = [{"var": key} if weights.deductions[key] == 1 else {"*": [_plain(weights.deductions[key]), {"var": key}]}
             for key in FIGURES if weights.deductions.get(key)]
    return {"max": [_plain(weights.floor), {"-": [_plain(weights.base), {"+": terms}]}]}


def rows(weights: Weights | None, typed: dict | None = None, errors: dict | None = None) -> list[dict]:
    """The table's lines for the page: each figure's Chinese name, unit, value and error. After a
    refusal ``typed`` and ``errors`` are the form's fields and :func:`parse`'s errors, by field name."""
    typed, errors = typed or {}, errors or {}
    deductions = weights.deductions if weights else {}
    return [{"key": key, "label": label, "unit": UNITS[key],
             "value": typed.get(f"w_{key}", _plain(deductions[key]) if key in deductions else ""),
             "error": errors.get(f"w_{key}")} for key, label in FIGURES.items()]


def parse(form) -> tuple[Weights | None, dict[str, str]]:
    """A table from the page's fields (``base``, ``floor``, ``w_<figure>``); errors by field, in Chinese."""
    errors: dict[str, str] = {}

    def number(name: str, label: str, default=None):
        text = (form.get(name) or "").strip()
        if not text:
            if default is None:
                errors[name] = f"请填写{label}"
            return default
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or abs(value) > 1_000_000:
            errors[name] = f"{label}须为数字（如 2 或 0.5）"
            return None
        return value

    base = number("base", "基础分")
    floor = number("floor", "最低分")
    deductions = {}
    for key, label in FIGURES.items():
        value = number(f"w_{key}", f"“{label}”的每{UNITS[key]}扣分", default=0)
        if value:
            deductions[key] = value
    if not deductions and not any(k.startswith("w_") for k in errors):
        errors["weights"] = "请至少为一项填写扣分"
    if base is not None and floor is not None and floor > base:
        errors["floor"] = "最低分不能高于基础分"
    return (None if errors else Weights(base=base, floor=floor, deductions=deductions)), errors
