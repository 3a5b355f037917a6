"""A recorded form's values as people read them: each field under its title, in the form's order,
each value in words (choices by their labels joined with 、, a date range as "start 至 end", yes/no
as 是/否), a repeating table as a table with its column titles, a file as a link to the material,
never a key or a Python repr.

One renderer for every page that shows an application or an officer's decision: :func:`fields`
gives the structure that ``runtime/_form_values.html`` draws (the staff and applicant case pages,
supervision's case page); :func:`rows` gives the same values as plain ``(title, text)`` lines for
PDFs, public notices and the log (:mod:`runtime.decisions`, :mod:`runtime.notices`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from designer.palette import field_ui, ordered_fields
from designer.render import table_columns

# A material's key → (its address, its name), or None when the case has no such file.
FileLink = Callable[[str], tuple[str, str] | None]


@dataclass(frozen=True)
class Field:
    """One field as a page shows it: ``text`` always (the whole value in words); a repeating table
    also as ``columns`` and ``rows`` of cells in words; a file also as ``link``."""

    title: str
    text: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    link: str = ""

    @property
    def is_table(self) -> bool:
        return bool(self.columns)


def shown(prop: dict, value, ui: dict | None = None) -> str:
    """One value of a field whose JSON Schema property is ``prop``, in words."""
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
    if isinstance(value, dict):  # an object the palette does not know: its parts, titled where it can
        props = prop.get("properties") or {}
        return "，".join(f"{(props.get(k) or {}).get('title', k)}：{shown(props.get(k) or {}, v)}"
                        for k, v in value.items() if v not in (None, ""))
    if isinstance(value, list):
        return "、".join(shown(prop.get("items") or {}, v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field(prop: dict, value, ui: dict, file_link: FileLink | None) -> Field:
    title, text = prop.get("title", ""), shown(prop, value, ui)
    if prop.get("x-field") == "table" and isinstance(value, list):
        columns = table_columns(prop, ui)
        return Field(title, text, columns=[column.get("title", key) for key, column in columns],
                     rows=[[shown(column, row.get(key)) for key, column in columns]
                           for row in value if isinstance(row, dict)])
    if prop.get("x-field") == "upload" and file_link is not None:
        found = file_link(prop.get("x-material", ""))
        if found is not None:
            url, name = found
            return Field(title, name, link=url)
    return Field(title, text)


def fields(form: dict | None, data: dict | None, *, file_link: FileLink | None = None) -> list[Field]:
    """The fields of ``form`` present in ``data``, in the form's order (the UI schema's order,
    then the schema's), each titled (a field without a title by its position, never its key)."""
    if not form or not data:
        return []
    props = form["schema"].get("properties", {})
    shown_fields = []
    for name in ordered_fields(form):
        if name not in data:
            continue
        one = _field(props[name], data[name], field_ui(form, name), file_link)
        shown_fields.append(one if one.title else Field(f"第{len(shown_fields) + 1}项", one.text, one.columns,
                                                        one.rows, one.link))
    return shown_fields


def rows(form: dict | None, data: dict | None) -> list[tuple[str, str]]:
    """``[(title, shown value)]`` of the fields of ``form`` present in ``data``, in the form's order."""
    return [(f.title, f.text) for f in fields(form, data)]
