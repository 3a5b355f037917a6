"""The values of the case facts and step facts the designer defines, by Chinese name, in the rules'
one registry of value lists (``rules.facts.fact_values``): departments, items, the item's steps,
step types and actions. The condition builder offers them as lists; rules read in words with them.
Open lists (they follow the data and the item): validation does not restrict a rule to them."""

from __future__ import annotations

from rules.facts import value_list

from .steps import ACTIONS, step_types


def _departments(_steps) -> dict[str, str]:
    from accounts.models import Department

    return dict(Department.objects.filter(kind=Department.Kind.DEPARTMENT).order_by("sort_order", "code")
                .values_list("code", "name"))


def _items(_steps) -> dict[str, str]:
    from .models import ApprovalItem

    return dict(ApprovalItem.objects.order_by("code").values_list("code", "name"))


def register_fact_values() -> None:
    value_list("case.department", _departments)
    value_list("case.item", _items)
    value_list("case.step", lambda steps: steps)  # the item's steps, where the rule is written
    value_list("step.key", lambda steps: steps)
    value_list("step.type", lambda _steps: {key: t.label for key, t in step_types.items()})
    value_list("step.action", ACTIONS)
