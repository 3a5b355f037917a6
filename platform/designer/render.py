"""Drawing definitions: the application form as applicants see it, and the flowchart (办理流程图).

:func:`render_form` is the one renderer of an item's form: the designer's preview uses it and
the runtime's application page should too, so the preview is exactly what applicants get.
:func:`flowchart_svg` draws a workflow as inline SVG on the server (no script needed).
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.identity import PHONE_MESSAGE, PHONE_PATTERN

from .palette import field_ui, ordered_fields
from .steps import step_types

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


# --- Flowchart ------------------------------------------------------------------------------

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 170, 46, 40, 64, 30


def _ranks(workflow: dict) -> dict[str, int]:
    """Longest distance from the start along forward transitions (the workflow is acyclic)."""
    steps = {s["key"]: s for s in workflow["steps"]}
    rank = {workflow["start"]: 0}
    queue = deque([workflow["start"]])
    guard = 0
    while queue and guard < 10_000:
        guard += 1
        key = queue.popleft()
        for t in steps[key]["transitions"]:
            if t["to"] in steps and rank.get(t["to"], -1) < rank[key] + 1:
                rank[t["to"]] = rank[key] + 1
                queue.append(t["to"])
    for key in steps:  # unreachable steps (only in an invalid draft) go at the bottom
        rank.setdefault(key, max(rank.values(), default=0) + 1)
    return rank


@dataclass(frozen=True)
class Box:
    key: str
    x: float
    y: float
    name: str
    sub: str  # the step type's one-line description
    fill: str
    rounded: bool  # an end step
    start: bool


@dataclass(frozen=True)
class Arrow:
    """A transition: straight down to the next rank, or, when it bypasses steps, a curve from the
    left side of the box to the left side of its target through ``bend`` (an x)."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    bend: float | None = None
    title: str = ""


@dataclass(frozen=True)
class ReturnPath:
    """A dashed curve from a step back to the step it may return the case to."""

    sx: float
    sy: float
    ex: float
    ey: float
    bend: float
    title: str


@dataclass(frozen=True)
class FlowchartLayout:
    """Where every box, arrow and return path goes (y grows downwards), drawn as SVG by
    :func:`flowchart_svg` and as PDF by ``designer.returns`` from this one layout."""

    width: float
    height: float
    boxes: list[Box]
    arrows: list[Arrow]
    returns: list[ReturnPath]


def flowchart_layout(workflow: dict) -> FlowchartLayout:
    rank = _ranks(workflow)
    rows: dict[int, list[str]] = {}
    for step in workflow["steps"]:
        rows.setdefault(rank[step["key"]], []).append(step["key"])
    width = max(len(keys) for keys in rows.values()) * (BOX_W + GAP_X) + 2 * MARGIN + 120
    pos = {}
    for r, keys in rows.items():
        row_w = len(keys) * BOX_W + (len(keys) - 1) * GAP_X
        left = (width - 120 - row_w) / 2
        for i, key in enumerate(keys):
            pos[key] = (left + i * (BOX_W + GAP_X), MARGIN + r * (BOX_H + GAP_Y))
    height = MARGIN * 2 + (max(rows) + 1) * (BOX_H + GAP_Y)
    steps = {s["key"]: s for s in workflow["steps"]}
    arrows, returns, boxes = [], [], []
    for step in workflow["steps"]:
        x, y = pos[step["key"]]
        for t in step["transitions"]:
            if t["to"] not in pos:
                continue
            tx, ty = pos[t["to"]]
            label = t.get("label") or ("条件流转" if "when" in t else "")
            if rank[t["to"]] - rank[step["key"]] > 1:
                # it bypasses the steps between: drawn straight it would hide behind them, so it
                # bends round the left of the column (returns bend round the right)
                arrows.append(Arrow(x, y + BOX_H / 2, tx, ty + BOX_H / 2, label, bend=max(4, min(x, tx) - 26),
                                    title=f"{step['name']} → {steps[t['to']]['name']}"))
            else:
                arrows.append(Arrow(x + BOX_W / 2, y + BOX_H, tx + BOX_W / 2, ty, label))
        for target in step.get("return_to", []):
            if target not in pos:
                continue
            tx, ty = pos[target]
            sx, sy = x + BOX_W, y + BOX_H / 2
            ex, ey = tx + BOX_W, ty + BOX_H / 2
            returns.append(ReturnPath(sx, sy, ex, ey, max(sx, ex) + 40 + 12 * rank[step["key"]],
                                      f"退回：{step['name']} → {steps[target]['name']}"))
        step_type = step_types.get(step["type"]) if step["type"] in step_types else None
        boxes.append(Box(step["key"], x, y, step["name"], step_type.describe(step) if step_type else step["type"],
                         step_type.fill if step_type else "#ffffff",
                         step_type is not None and step_type.may_end and not step["transitions"],
                         step["key"] == workflow["start"]))
    return FlowchartLayout(width, height, boxes, arrows, returns)


def flowchart_svg(workflow: dict | None, *, standalone: bool = False) -> SafeString:
    """The flowchart as inline SVG; ``standalone`` adds the XML declaration for an .svg file."""
    if not workflow:
        return mark_safe("<p class='hint'>（无流程）</p>")
    layout = flowchart_layout(workflow)
    width, height = layout.width, layout.height
    out = ["<?xml version='1.0' encoding='UTF-8'?>\n"] if standalone else []
    out += [f"<svg class='flowchart' role='img' aria-label='办理流程图' xmlns='http://www.w3.org/2000/svg' "
            f"width='{width:.0f}' height='{height:.0f}' viewBox='0 0 {width:.0f} {height:.0f}'>",
            "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
            "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' fill='#5b6470'/></marker></defs>"]
    for a in layout.arrows:
        if a.bend is not None:
            out.append(f"<path class='bypass' d='M{a.x1:.0f},{a.y1:.0f} C{a.bend:.0f},{a.y1:.0f} {a.bend:.0f},{a.y2:.0f} "
                       f"{a.x2:.0f},{a.y2:.0f}' fill='none' stroke='#5b6470' marker-end='url(#arrow)'>"
                       f"<title>{escape(a.title)}</title></path>")
            if a.label:
                out.append(f"<text x='{a.bend + 4:.0f}' y='{(a.y1 + a.y2) / 2:.0f}' font-size='11' "
                           f"fill='#b7791f'>{escape(a.label)}</text>")
            continue
        out.append(f"<line x1='{a.x1:.0f}' y1='{a.y1:.0f}' x2='{a.x2:.0f}' y2='{a.y2:.0f}' stroke='#5b6470' "
                   "marker-end='url(#arrow)'/>")
        if a.label:
            out.append(f"<text x='{(a.x1 + a.x2) / 2 + 6:.0f}' y='{(a.y1 + a.y2) / 2:.0f}' font-size='11' "
                       f"fill='#b7791f'>{escape(a.label)}</text>")
    for r in layout.returns:
        out.append(f"<path d='M{r.sx:.0f},{r.sy:.0f} C{r.bend:.0f},{r.sy:.0f} {r.bend:.0f},{r.ey:.0f} "
                   f"{r.ex:.0f},{r.ey:.0f}' fill='none' stroke='#c62828' stroke-dasharray='5,4' "
                   f"marker-end='url(#arrow)'><title>{escape(r.title)}</title></path>")
    for b in layout.boxes:
        out.append(f"<g class='step' data-step='{escape(b.key)}'><rect x='{b.x:.0f}' y='{b.y:.0f}' "
                   f"width='{BOX_W}' height='{BOX_H}' rx='{22 if b.rounded else 6}' fill='{b.fill}' "
                   f"stroke='{'#b3261e' if b.start else '#1f2328'}'/>")
        out.append(f"<text x='{b.x + BOX_W / 2:.0f}' y='{b.y + 19:.0f}' text-anchor='middle' font-size='14' "
                   f"font-weight='600'>{escape(b.name)}</text>")
        out.append(f"<text x='{b.x + BOX_W / 2:.0f}' y='{b.y + 36:.0f}' text-anchor='middle' font-size='11' "
                   f"fill='#5b6470'>{escape(b.sub)}</text></g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped


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
