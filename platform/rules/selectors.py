"""Read-side views of the registries, as plain JSON for the API, the test-run page and the docs."""

from __future__ import annotations

from collections.abc import Mapping

from .facts import fact_variables, labelled_values
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
    return variables_json(fact_variables())


SECTIONS = (("case.", "办件事实"), ("decision.", "决定事项"), ("step.", "环节情况"))


def builder_variables(variables: Mapping[str, Variable], *, step_names: Mapping[str, str] | None = None) -> list[dict]:
    """The variables as the condition builder (``static/rules/builder.js``) offers them: by Chinese
    title in sections (表单字段, 决定事项 ``步骤名·字段``, 办件事实), with type, choices and their
    Chinese names: a form field's own choices, or a fact's value list (``rules.facts.fact_values``:
    states, departments, the item's steps ``step_names`` …). Rows of repeating tables (``list.*``)
    and whole objects are left out: the builder's grammar has no line for them (such rules stay
    as JSON under 高级)."""
    rows = []
    for v in variables.values():
        if "*" in v.name or v.kind == "object":
            continue
        labels = labelled_values(v.name, step_names)
        choices = v.choices or tuple(labels)
        if v.kind == "array":
            item = variables.get(f"{v.name}.*")
            if item is not None and item.kind == "object":
                continue  # a repeating table
            choices = item.choices if item is not None else ()
        section = next((title for prefix, title in SECTIONS if v.name.startswith(prefix)), "表单字段")
        label = v.label or v.name
        if v.name.startswith("decision."):
            step = v.name.split(".")[1]
            label = f"{(step_names or {}).get(step, step)}·{label}"
        rows.append({
            "name": v.name, "label": label, "type": v.kind, "section": section,
            "type_label": TYPE_LABELS.get(v.kind, v.kind), "choices": list(choices),
            "choice_labels": labels,
        })
    return rows
