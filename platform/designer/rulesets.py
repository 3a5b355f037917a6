"""What a rule set's warning and cards mean, as json-logic over a clock, and the upgrade of rule
sets stored in the first shape (docs/designer.md, "Supervision rules").

A card says which limit it counts against (``promised`` or ``statutory``) and how many working
days past that limit it starts: ``overdue_days_over: N`` holds when the clock is *more than* N
working days past the limit (``days left < -N``). The warning holds from ``remaining_days`` (or
``remaining_percent`` of the limit) before the limit on, until a card takes over. Supervision
compiles these rules to queries (``rules.compile_to_q``); the designer's test run evaluates the
same rules, so both read a rule set the same way.
"""

from __future__ import annotations

import copy

LIMITS = {"promised": "承诺时限", "statutory": "法定时限"}
CARDS = ("warning", "yellow_card", "red_card")
LEVELS = {"warning": "warning", "yellow_card": "yellow", "red_card": "red"}

# The clock variables the rules read, per limit.
LEFT = {"promised": "clock.days_left", "statutory": "clock.statutory_days_left"}
LIMIT_DAYS = {"promised": "clock.limit_days", "statutory": "clock.statutory_limit_days"}


def upgrade(rules: dict) -> dict:
    """A rule set in the current shape. The first shape (before cards named their limit) counted
    everything against the promised limit: ``warning {remaining_days, remaining_percent}``, a
    yellow card on any overrun ``overdue_days_up_to`` N days, a red card ``overdue_days_over`` N
    days. Those read as the same rules on the promised limit (the yellow card's upper bound is
    where the red card starts, so it carries no rule of its own)."""
    out = copy.deepcopy(rules)
    warning = out.get("warning")
    if isinstance(warning, dict) and "limit" not in warning:
        out["warning"] = {"limit": "promised", **warning}
    yellow = out.get("yellow_card")
    if isinstance(yellow, dict) and "limit" not in yellow and "overdue_days_up_to" in yellow:
        out["yellow_card"] = {"limit": "promised", "overdue_days_over": 0}
    red = out.get("red_card")
    if isinstance(red, dict) and "limit" not in red:
        out["red_card"] = {"limit": "promised", **red}
    return out


def card_rule(card: str, spec: dict) -> dict:
    """The json-logic rule of one card of a rule set (current shape)."""
    left = {"var": LEFT[spec["limit"]]}
    if card == "warning":
        near = [{"<=": [left, spec["remaining_days"]]}]
        if spec.get("remaining_percent"):
            near.append({"<=": [{"*": [left, 100]},
                                {"*": [{"var": LIMIT_DAYS[spec["limit"]]}, spec["remaining_percent"]]}]})
        return near[0] if len(near) == 1 else {"or": near}
    return {"<": [left, -spec["overdue_days_over"]]}


def level_rules(rules: dict) -> dict[str, dict]:
    """``{"warning" | "yellow" | "red": rule}`` for the cards the rule set has (the highest level
    that holds wins)."""
    rules = upgrade(rules)
    return {LEVELS[card]: card_rule(card, rules[card]) for card in CARDS if isinstance(rules.get(card), dict)}
