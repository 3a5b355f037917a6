"""Checking an uploaded material: size, type sniffed from the content (never the file name) and
SHA-256. The item's material says which types and what size it accepts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype

# What the content sniffer reports, as the designer's file types.
_SNIFFED = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "pdf": "pdf", "doc": "doc", "docx": "docx", "xls": "xls",
            "xlsx": "xlsx", "zip": "zip"}
TYPE_LABELS = {"pdf": "PDF", "jpg": "JPG 图片", "png": "PNG 图片", "ofd": "OFD 版式文件", "doc": "Word",
               "docx": "Word", "xls": "Excel", "xlsx": "Excel", "zip": "ZIP 压缩包"}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    size: int
    sniffed_type: str
    sha256: str


def sniff(content: bytes, name: str = "") -> str:
    """The designer file type the content really is, or ``""`` when it is none of them."""
    kind = filetype.guess(content[:8192] if len(content) > 8192 else content)
    if kind is None:
        return ""
    found = _SNIFFED.get(kind.extension, "")
    if found == "zip" and name.lower().endswith(".ofd"):
        return "ofd"  # OFD is a zip container
    return found


def check_upload(*, material: dict, name: str, content: bytes) -> tuple[CheckedFile | None, list[str]]:
    problems = []
    limit = material["max_size_mb"] * 1024 * 1024
    if len(content) > limit:
        problems.append(f"文件“{name}”超过 {material['max_size_mb']} MB 的上限")
    if not content:
        problems.append(f"文件“{name}”是空文件")
    kind = sniff(content, name) if content else ""
    allowed = material["file_types"]
    if content and kind not in allowed:
        wanted = "、".join(TYPE_LABELS.get(t, t) for t in allowed)
        seen = f"实际内容为 {TYPE_LABELS.get(kind, kind)}" if kind else "无法识别其内容"
        problems.append(f"文件“{name}”的类型不符合要求：应为 {wanted}，{seen}")
    if problems:
        return None, problems
    return CheckedFile(name[:200], content, len(content), kind, hashlib.sha256(content).hexdigest()), []
