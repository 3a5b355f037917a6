"""Reading the application page's POST back into what the services take.

The form's HTML comes from ``designer.render.render_form`` (the renderer the designer's preview
uses); this turns its fields back into JSON data with the same conventions: ``name`` for a
field, ``name.start``/``name.end`` for a date range, ``name.<row>.<column>`` for table cells,
repeated ``name`` for multiple choice. Materials come as ``material:<key>`` (a file),
``paper:<key>`` (the paper original travels with the file) and ``certificate:<key>`` (a number
from the certificate registry).
"""

from __future__ import annotations

from .services import MaterialInput


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
                value = post.get(key, "").strip()
                if value and int(parts[1]) < 1000:
                    rows.setdefault(int(parts[1]), {})[parts[2]] = _typed(columns[parts[2]], value)
            if rows:
                data[name] = [rows[i] for i in sorted(rows)]
        elif kind == "upload":
            continue  # files of the form travel as materials
        else:
            value = post.get(name, "")
            if value.strip() != "":
                data[name] = _typed(prop, value.strip() if prop.get("type") != "string" else value)
    return data


def materials_from_post(materials: list[dict], post, files) -> list[MaterialInput]:
    given = []
    for material in materials:
        key = material["key"]
        upload = files.get(f"material:{key}")
        certificate = post.get(f"certificate:{key}", "").strip()
        if certificate:
            given.append(MaterialInput(key, certificate_number=certificate))
        elif upload is not None:
            # Never more than one byte over the limit into memory: that byte is enough for
            # ``check_upload`` to refuse the file as too large.
            given.append(MaterialInput(key, upload.name, upload.read(material["max_size_mb"] * 1024 * 1024 + 1)))
        elif post.get(f"paper:{key}"):
            given.append(MaterialInput(key, paper=True))
    return given
