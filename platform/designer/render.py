"""Drawing definitions: the application form as applicants see it.

:func:`render_form` is the one renderer of an item's form: the designer's preview uses it and
the runtime's application page should too, so the preview is exactly what applicants get. The
flowchart (办理流程图) is :mod:`designer.flow`'s, drawn by ``designer/_flowchart.html``.
"""

from __future__ import annotations

import json
import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.identity import PHONE_MESSAGE, PHONE_PATTERN

from .palette import field_ui, ordered_fields

_TEXT_INPUT = {"text": {}, "address": {}, "id_number": {"maxlength": "18", "data-check": "id-number"},
               "credit_code": {"maxlength": "18", "data-check": "credit-code"},
               "mobile": {"maxlength": "20", "inputmode": "tel", "data-check": "mobile",
                          "data-pattern": PHONE_PATTERN, "data-message": PHONE_MESSAGE}}


def _attrs(attrs: dict) -> str:
    return "".join(f' {k}="{escape(v)}"' for k, v in attrs.items() if v is not None)


def table_columns(prop: dict, ui: dict) -> list[tuple[str, dict]]:
    columns = (prop.get("items") or {}).get("properties") or {}
    order = [c for c in ui.get("columns", []) if c in columns]
    return [(k, columns[k]) for k in order + [c for c in columns if c not in order]]


def _input(kind: str, prop: dict, name: str, value, ui: dict | None = None) -> str:
    value = "" if value is None else value
    if kind in _TEXT_INPUT:
        attrs = {"type": "text", "name": name, "id": f"f-{name}", "value": str(value),
                 "maxlength": str(prop["maxLength"]) if "maxLength" in prop else None, **_TEXT_INPUT[kind]}
        return f"<input{_attrs(attrs)}>"
    if kind == "textarea":
        return f'<textarea name="{escape(name)}" id="f-{escape(name)}" rows="4">{escape(value)}</textarea>'
    if kind in ("number", "money"):
        step = "0.01" if kind == "money" else ("1" if prop.get("type") == "integer" else "any")
        attrs = {"type": "number", "name": name, "id": f"f-{name}", "step": step, "value": str(value),
                 "min": str(prop["minimum"]) if "minimum" in prop else None,
                 "max": str(prop["maximum"]) if "maximum" in prop else None}
        return f"<input{_attrs(attrs)}>"
    if kind == "date":
        return f"<input{_attrs({'type': 'date', 'name': name, 'id': f'f-{name}', 'value': str(value)})}>"
    if kind == "date_range":
        value = value or {}
        return (f"<span class='range'><input{_attrs({'type': 'date', 'name': f'{name}.start', 'id': f'f-{name}', 'value': value.get('start', '')})}>"  # noqa: E501
                f" 至 <input{_attrs({'type': 'date', 'name': f'{name}.end', 'aria-label': '结束日期', 'value': value.get('end', '')})}></span>")  # noqa: E501
    if kind == "choice":
        return "".join(
            f"<label class='option'><input type='radio' name='{escape(name)}' value='{escape(o)}'"
            f"{' checked' if o == value else ''}> {escape(o)}</label>" for o in prop.get("enum", []))
    if kind == "multi_choice":
        chosen = value or []
        return "".join(
            f"<label class='option'><input type='checkbox' name='{escape(name)}' value='{escape(o)}'"
            f"{' checked' if o in chosen else ''}> {escape(o)}</label>" for o in prop["items"].get("enum", []))
    if kind == "upload":
        return f"<input type='file' name='{escape(name)}' id='f-{escape(name)}'>"
    if kind == "table":
        return _table(prop, name, value, ui or {})
    return ""


def _table(prop: dict, name: str, value, ui: dict) -> str:
    """A repeating table: a row per row of ``value`` (what was entered, shown back after a
    refusal), at least ``minItems`` rows and one; 增加一行 / 删除 within ``minItems``..``maxItems``
    (``static/designer/form.js``; the server checks the count again). A column's header names it
    (``data-column``) so the designer's preview can open that column's editor."""
    columns = table_columns(prop, ui)
    required = set((prop.get("items") or {}).get("required") or [])
    head = "".join(f"<th data-column='{escape(k)}'>{escape(c.get('title', k))}"
                   f"{'<span class=req>*</span>' if k in required else ''}</th>" for k, c in columns)
    rows = [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
    least = max(1, prop.get("minItems") or 0)
    rows += [{}] * (least - len(rows))
    body = "".join(
        "<tr>" + "".join(f"<td>{_input(c.get('x-field'), c, f'{name}.{i}.{k}', row.get(k))}</td>" for k, c in columns)
        + "<td><button type='button' class='link remove-row'>删除</button></td></tr>" for i, row in enumerate(rows))
    limits = {"data-min-rows": str(prop.get("minItems") or 0),
              "data-max-rows": str(prop["maxItems"]) if "maxItems" in prop else None}
    return (f"<table class='rows' data-table='{escape(name)}'{_attrs(limits)}><thead><tr>{head}<th></th></tr></thead>"
            f"<tbody>{body}</tbody></table><button type='button' class='add-row'>增加一行</button>"
            f"<p class='hint rows-limit' hidden></p>")


_ROW_PATH = re.compile(r"\[([0-9]+)\](?:\.([a-z][a-z0-9_]*))?")


def _row_errors(prop: dict, name: str, errors: dict) -> list[str]:
    """A table's problems in its rows (``$.<table>[i]`` and ``$.<table>[i].<column>``) as
    “第1行“出资额”：…”, the column by its title."""
    columns = (prop.get("items") or {}).get("properties") or {}
    found = []
    for path, messages in errors.items():
        match = _ROW_PATH.fullmatch(path.removeprefix(f"$.{name}")) if path.startswith(f"$.{name}[") else None
        if match is None:
            continue
        row, column = int(match[1]) + 1, match[2]
        where = f"第{row}行" + (f"“{columns.get(column, {}).get('title', column)}”" if column else "")
        found += [f"{where}：{m}" for m in messages]
    return found


def render_form(form: dict, data: dict | None = None, errors: dict | None = None, *, prefix: str = "") -> SafeString:
    """The applicant's form as HTML fields (the caller wraps them in its own ``<form>``).
    ``prefix`` goes before every input's name (a step's decision form on the case page:
    ``decision.``); ``data`` and ``errors`` (``$.<field>``) are keyed by the field names."""
    data, errors = data or {}, errors or {}
    schema = form["schema"]
    required = set(schema.get("required", []))
    parts = []
    for name in ordered_fields(form):
        prop = schema["properties"][name]
        ui = field_ui(form, name)
        kind = prop.get("x-field")
        attrs = {"class": "form-field", "data-field": name, "data-kind": kind,
                 "data-visible-if": json.dumps(ui["visible_if"], ensure_ascii=False) if "visible_if" in ui else None}
        mark = "<span class='req' title='必填'>*</span>" if name in required else ""
        label_for = "" if kind in ("choice", "multi_choice", "table") else f" for='f-{escape(prefix + name)}'"
        help_text = format_html("<p class='hint'>{}</p>", ui.get("help") or prop.get("description")) \
            if (ui.get("help") or prop.get("description")) else ""
        error_text = "".join(format_html("<p class='field-error'>{}</p>", m) for m in errors.get(f"$.{name}", []))
        if kind == "table":
            error_text += "".join(format_html("<p class='field-error'>{}</p>", m) for m in _row_errors(prop, name, errors))
        parts.append(f"<div{_attrs(attrs)}><label{label_for}>{escape(prop.get('title', name))}{mark}</label>"
                     f"{_input(kind, prop, prefix + name, data.get(name), ui)}{help_text}{error_text}"
                     f"<p class='field-error check-error' hidden></p></div>")
    return mark_safe("".join(parts))  # every value above is escaped


# --- Reading a rendered form back -------------------------------------------------------------
# The inverse of render_form, shared by the designer's preview and the applicant's pages:
# ``name`` for a field, ``name.start``/``name.end`` for a date range, ``name.<row>.<column>`` for
# table cells, repeated ``name`` for multiple choice.

def _typed(prop: dict, value: str):
    """Numbers as numbers where the schema says so; anything unreadable stays text, so the
    server-side validator reports it (and the page shows back exactly what was typed)."""
    if prop.get("type") in ("number", "integer"):
        try:
            number = float(value)
        except ValueError:
            return value
        if number != number or number in (float("inf"), float("-inf")):
            return value
        return int(number) if number.is_integer() else number  # "120" stays 120, not 120.0
    return value


def form_data_from_post(form: dict, post) -> dict:
    """Turn a POST of the rendered form back into JSON data (numbers, lists, table rows)."""
    data: dict = {}
    for name, prop in form["schema"].get("properties", {}).items():
        kind = prop.get("x-field")
        if kind == "multi_choice":
            values = [v for v in post.getlist(name) if v]
            if values:
                data[name] = values
        elif kind == "date_range":
            start, end = post.get(f"{name}.start", ""), post.get(f"{name}.end", "")
            if start or end:
                data[name] = {"start": start, "end": end}
        elif kind == "table":
            columns = (prop.get("items") or {}).get("properties") or {}
            rows: dict[int, dict] = {}
            for key in post:
                parts = key.split(".")
                if len(parts) != 3 or parts[0] != name or not parts[1].isdigit() or parts[2] not in columns:
                    continue
                if int(parts[1]) >= 1000:
                    continue
                column = columns[parts[2]]
                if column.get("x-field") == "multi_choice":
                    chosen = [v for v in post.getlist(key) if v]
                    if chosen:
                        rows.setdefault(int(parts[1]), {})[parts[2]] = chosen
                    continue
                value = post.get(key, "").strip()
                if value:
                    rows.setdefault(int(parts[1]), {})[parts[2]] = _typed(column, value)
            if rows:
                data[name] = [rows[i] for i in sorted(rows)]
        elif kind == "upload":
            continue  # files of the form travel as materials
        else:
            value = post.get(name, "")
            if value.strip() != "":
                data[name] = _typed(prop, value.strip() if prop.get("type") != "string" else value)
    return data
