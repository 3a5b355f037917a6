"""Identifiers of fields, materials and steps, generated from their Chinese titles.

Editors name things in Chinese; the definition needs ASCII keys (``[a-z][a-z0-9_]{0,39}``, what
rules, bundles and the exchange format read). :func:`identifier_from_title` makes one from the
title with pypinyin (pinned in requirements.txt, so the same title always gives the same key):
the syllables joined by ``_``, cut at a syllable so it stays readable, made unique within the
item with ``_2``, ``_3``…. A key is made once, when the thing is created, and kept when the
title changes later (rules and running cases refer to it); the editor may change it only in the
高级 panel.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from pypinyin import lazy_pinyin

MAX_LENGTH = 40
_BASE_LENGTH = 30  # room for a "_99" suffix
_WORD = re.compile(r"[a-z0-9]+")
RESERVED = frozenset({"case", "decision"})  # names the rules read the case facts and decisions under


def identifier_from_title(title: str, taken: Collection[str] = (), *, fallback: str = "field") -> str:
    """An ASCII key for ``title``, unused in ``taken``: ``经营场所面积（平方米）`` → ``jing_ying_chang_suo_mian_ji``…"""
    words: list[str] = []
    for piece in lazy_pinyin(title or "", errors=lambda text: [text]):
        words.extend(_WORD.findall(piece.lower()))
    base = ""
    for word in words:
        candidate = f"{base}_{word}" if base else word
        if len(candidate) > _BASE_LENGTH:
            break
        base = candidate
    if not base or not base[0].isalpha():
        base = f"{fallback}_{base}" if base else fallback
    base = base[:_BASE_LENGTH].rstrip("_")
    key, n = base, 1
    while key in taken or key in RESERVED:
        n += 1
        key = f"{base}_{n}"
    return key
