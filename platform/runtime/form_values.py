"""A recorded form's values as people read them: each field under its title, in the form's order,
each value in words (a repeating table row by row with its column titles, a date range as
"start 至 end", choices joined with 、), never a key or a Python repr. Used for the application
on the staff case page and for officers' decisions (:mod:`runtime.decisions`)."""

from __future__ import annotations

from designer.palette import field_ui, ordered_fields
from designer.render import table_columns


def shown(prop: dict, value, ui: dict | None = None) -> str:
    """One value of a field whose JSON Schema property is ``prop``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if prop.get("x-field") == "table" and isinstance(value, list):
        columns = table_columns(prop, ui or {})
        return "；".join(
            "，".join(f"{column.get('title', key)}：{shown(column, row[key])}" for key, column in columns
                     if row.get(key) not in (None, ""))
            for row in value if isinstance(row, dict))
    if isinstance(value, dict) and {"start", "end"} >= set(value):  # a date range
        return f"{value.get('start', '')} 至 {value.get('end', '')}"
    if isinstance(value, list):
        return "、".join(shown({}, v) for v in value)
    return str(value)


def rows(form: dict | None, data: dict | None) -> list[tuple[str, str]]:
    """``[(title, shown value)]`` of the fields of ``form`` present in ``data``, in the form's order."""
    if not form or not data:
        return []
    props = form["schema"].get("properties", {})
    return [(props[name].get("title", name), shown(props[name], data[name], field_ui(form, name)))
            for name in ordered_fields(form) if name in data]
