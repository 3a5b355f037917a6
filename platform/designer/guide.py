"""The guided path through a new item's parts, in the order an editor fills them in
(公开信息 → 办理阶段 → 申请材料 → 表单 → 流程 → 时限与监察规则 → 提交审核), each with what is
still missing. "Missing" has one source: the validation's problems and review gaps
(designer.validation), sorted into parts by their JSON path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .validation import Problems, definition_problems, review_gaps


@dataclass(frozen=True)
class GuidePart:
    key: str
    label: str
    url_name: str


PARTS = (
    GuidePart("public", "公开信息", "designer:item-public"),
    GuidePart("stages", "办理阶段", "designer:item-stages"),
    GuidePart("materials", "申请材料", "designer:item-materials"),
    GuidePart("form", "表单", "designer:item-form"),
    GuidePart("workflow", "流程", "designer:item-workflow"),
    GuidePart("supervision", "时限与监察规则", "designer:item-supervision"),
    GuidePart("submit", "提交审核", "designer:item"),
)

# First match wins: a stage's materials are 申请材料, a stage's own facts are 办理阶段.
_PART_OF_PATH = (
    (re.compile(r"\.materials\b"), "materials"),
    (re.compile(r"\.form\b"), "form"),
    (re.compile(r"\.workflow\b"), "workflow"),
    (re.compile(r"\.supervision\b|limit_days\b"), "supervision"),
    (re.compile(r"^\$\.stages\b"), "stages"),
)


def part_of(path: str) -> str:
    return next((part for pattern, part in _PART_OF_PATH if pattern.search(path)), "public")


def guide(doc: dict) -> list[dict]:
    """Each part with its still-missing messages; 提交审核 lists them all (ready when empty)."""
    found: Problems = definition_problems(doc)
    if not found:
        found = review_gaps(doc)
    by_part: dict[str, list[str]] = {}
    for path, messages in found.items():
        by_part.setdefault(part_of(path), []).extend(messages)
    every = [m for messages in by_part.values() for m in messages]
    return [{"key": p.key, "label": p.label, "url_name": p.url_name, "number": n,
             "missing": every if p.key == "submit" else by_part.get(p.key, [])}
            for n, p in enumerate(PARTS, start=1)]
