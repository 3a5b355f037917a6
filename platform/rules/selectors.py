"""Read-side views of the registries, as plain JSON for the API, the test-run page and the docs."""

from __future__ import annotations

from collections.abc import Mapping

from .facts import case_facts
from .operations import operations
from .semantics import TYPE_LABELS
from .static import Variable

CATEGORY_ORDER = ["逻辑", "比较", "算术", "文本", "列表", "数据", "日期", "身份"]


def operations_json() -> list[dict]:
    rows = []
    for name, op in operations.items():
        rows.append({
            "name": name,
            "label": op.label,
            "category": op.category,
            "doc": op.doc,
            "min_args": op.min_args,
            "max_args": op.max_args,
            "result": op.result,
            "examples": [
                {"rule": ex.rule, "data": ex.data, "result": ex.result, "today": ex.today} for ex in op.examples
            ],
        })
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    return sorted(rows, key=lambda r: order.get(r["category"], len(order)))


def variables_json(variables: Mapping[str, Variable]) -> list[dict]:
    return [
        {
            "name": v.name,
            "type": v.kind,
            "type_label": TYPE_LABELS.get(v.kind, v.kind),
            "label": v.label,
            "choices": list(v.choices),
            "description": v.description,
        }
        for v in variables.values()
    ]


def facts_json() -> list[dict]:
    return variables_json(dict(case_facts.items()))
