"""The reference part of docs/rules.md, generated from the registries so it cannot drift.

``python manage.py rules_docs`` rewrites the text between the markers; a test fails when the
file is out of date.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .selectors import facts_json, operations_json

START, END = "<!-- BEGIN GENERATED: {} -->", "<!-- END GENERATED: {} -->"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _arity(op: dict) -> str:
    low, high = op["min_args"], op["max_args"]
    if high is None:
        return f"至少 {low} 个"
    return f"{low} 个" if low == high else f"{low}–{high} 个"


def operations_markdown() -> str:
    lines, category = [], None
    for op in operations_json():
        if op["category"] != category:
            category = op["category"]
            lines += [f"### {category}", ""]
        lines += [f"#### `{op['name']}` {op['label']}（参数 {_arity(op)}）", "", op["doc"].replace("\n", ""), ""]
        for ex in op["examples"]:
            today = f"（今天为 {ex['today']}）" if ex["today"] else ""
            lines.append(f"- `{_json(ex['rule'])}`，数据 `{_json(ex['data'])}` → `{_json(ex['result'])}`{today}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def facts_markdown() -> str:
    lines = ["| 变量 | 名称 | 类型 | 说明 |", "|---|---|---|---|"]
    for fact in facts_json():
        choices = f"（可选值：{'、'.join(fact['choices'])}）" if fact["choices"] else ""
        lines.append(f"| `{fact['name']}` | {fact['label']} | {fact['type_label']} | {fact['description']}{choices} |")
    return "\n".join(lines) + "\n"


SECTIONS = {"operations": operations_markdown, "facts": facts_markdown}


def render(text: str) -> str:
    """``text`` with every generated section replaced by its current content."""
    for name, make in SECTIONS.items():
        start, end = START.format(name), END.format(name)
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
        text = pattern.sub(lambda _m, s=start, e=end, m=make: f"{s}\n{m()}{e}", text)
    return text


def docs_path() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR) / "docs" / "rules.md"
