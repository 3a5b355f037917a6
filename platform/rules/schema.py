"""The variables a rule may read, from a form's JSON Schema plus the case facts.

Data layout a rule sees (docs/rules.md): the form's data at the top level (``{"var": "area"}``,
``{"var": "applicant.name"}``, ``{"var": "rooms.0.area"}``), the case facts under ``case`` and
the officers' recorded decisions under ``decision.<step_key>.<field>``. So ``case`` and
``decision`` are reserved: a form may not have a top-level field of either name.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import InvalidInput

from .facts import fact_variables
from .static import Variable

RESERVED = "case"
DECISIONS = "decision"
MAX_SCHEMA_DEPTH = 20
_KINDS = {"integer": "number", "number": "number", "string": "string", "boolean": "boolean",
          "array": "array", "object": "object"}
_BRANCHES = ("allOf", "anyOf", "oneOf")


def _resolve(schema: Mapping, root: Mapping, seen: frozenset) -> tuple[Mapping, frozenset]:
    """Follow a local ``$ref`` (``#/$defs/x``); unknown or cyclic references resolve to {}."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
        return schema, seen
    target = root
    for part in ref[2:].split("/"):
        target = target.get(part) if isinstance(target, Mapping) else None
    if not isinstance(target, Mapping):
        return {}, seen
    return target, seen | {ref}


def _kind(schema: Mapping) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = [t for t in declared if t != "null"]
        declared = declared[0] if len(declared) == 1 else None
    if isinstance(declared, str):
        kind = _KINDS.get(declared, "any")
        if kind == "string" and schema.get("format") == "date":
            return "date"
        return kind
    values = schema.get("enum") or ([schema["const"]] if "const" in schema else [])
    kinds = {_value_kind(v) for v in values if v is not None}
    return kinds.pop() if len(kinds) == 1 else "any"


def _value_kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "any"


def _choices(schema: Mapping) -> tuple:
    values = schema.get("enum")
    if isinstance(values, list):
        return tuple(v for v in values if v is not None and not isinstance(v, dict | list))
    return ()


def _walk(schema, name: str, root, seen, depth: int, out: dict[str, Variable]) -> None:
    if not isinstance(schema, Mapping) or depth > MAX_SCHEMA_DEPTH:
        return
    schema, seen = _resolve(schema, root, seen)
    if name:
        kind = _kind(schema)
        if kind == "any" and isinstance(schema.get("properties"), Mapping):
            kind = "object"
        previous = out.get(name)
        if previous is None or previous.kind == "any":
            out[name] = Variable(name, kind, str(schema.get("title", "")), _choices(schema))
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for key, child in properties.items():
            _walk(child, f"{name}.{key}" if name else str(key), root, seen, depth + 1, out)
    items = schema.get("items")
    if name and isinstance(items, Mapping):
        _walk(items, f"{name}.*", root, seen, depth + 1, out)
    for branch in _BRANCHES:
        for sub in schema.get(branch) or ():
            _walk(sub, name, root, seen, depth + 1, out)
    for branch in ("then", "else"):
        _walk(schema.get(branch), name, root, seen, depth + 1, out)


def variables_from_schema(json_schema: Mapping) -> dict[str, Variable]:
    """Every field of a form's JSON Schema as a variable (dotted names; ``list.*`` for items)."""
    out: dict[str, Variable] = {}
    if isinstance(json_schema, Mapping):
        _walk(json_schema, "", json_schema, frozenset(), 0, out)
    return out


def rule_variables(form_schema: Mapping | None = None, *, facts: bool = True) -> dict[str, Variable]:
    """The variables a rule of an item may read: the form's fields and (by default) the case facts."""
    variables = variables_from_schema(form_schema) if form_schema else {}
    for reserved, why in ((RESERVED, "规则用它读取办件事实"), (DECISIONS, "规则用它读取办理人员记录的决定事项")):
        if reserved in variables:
            raise InvalidInput(
                f"表单字段名“{reserved}”为保留名（{why}），请改名",
                details={f"$.properties.{reserved}": [f"字段名“{reserved}”为保留名，请改名"]},
            )
    if facts:
        variables.update(fact_variables())
    return variables


def decision_variables(step_key: str, decision_schema: Mapping | None) -> dict[str, Variable]:
    """The fields of one step's decision form as the variables ``decision.<step_key>.<field>``."""
    prefix = f"{DECISIONS}.{step_key}"
    out = {prefix: Variable(prefix, "object")} if decision_schema else {}
    for name, variable in variables_from_schema(decision_schema or {}).items():
        full = f"{prefix}.{name}"
        out[full] = Variable(full, variable.kind, variable.label, variable.choices, variable.description)
    return out
