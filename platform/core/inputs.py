"""What the platform accepts as text and JSON, checked in one place before anything reads it.

- No text holds a NUL byte (U+0000) or a lone UTF-16 surrogate: PostgreSQL cannot store either
  in a text column, and no person types one.
- Numbers are finite: ``NaN`` and ``Infinity`` are not JSON, and ``1e400`` parses to infinity,
  which PostgreSQL's jsonb refuses and no form field means.
- JSON nests at most :data:`MAX_JSON_DEPTH` deep (a form, a bundle or a rule set is far below
  that; deeper input only serves to exhaust the stack of whatever reads it next).

``config.inputs`` applies the text rule to every URL, query string and form post;
``core.parsers.SafeJSONParser`` all three to every JSON body of the API; ``supervision.inbound``
to every pushed record. A refusal names each refused field: its query or form name, or its path
in the JSON (``form_data.rooms.0.area``; ``$`` for the body itself).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

from .errors import RefusedInput

MAX_JSON_DEPTH = 100
MAX_PROBLEMS = 20  # a body full of bad values is named by its first few

NUL_MESSAGE = "不能包含空字符（\\u0000）"
SURROGATE_MESSAGE = "包含无效的字符（不成对的 Unicode 代理字符）"
NOT_FINITE_MESSAGE = "数值无效：不接受 NaN、Infinity 或超出范围的数"
TOO_DEEP_MESSAGE = f"嵌套过深：超过 {MAX_JSON_DEPTH} 层"

_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class UnreadableJSON(RefusedInput):
    code = "parse_error"
    default_message = "JSON 格式有误"


class JSONTooDeep(RefusedInput):
    default_message = f"提交的数据{TOO_DEEP_MESSAGE}"


class _NotFinite:
    """Stands in for ``NaN``, ``Infinity`` or an overflowing number while JSON is parsed, so the
    check afterwards can name where it was."""

    __slots__ = ()


NOT_FINITE = _NotFinite()


def text_problem(text: str) -> str | None:
    """Why a text is refused, or None."""
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def shown(name) -> str:
    """A field name as a path shows it: itself, or escaped if it holds a refused character (the
    path itself is stored in reports and must not carry what it reports)."""
    name = str(name)
    return name.encode("unicode_escape", "backslashreplace").decode("ascii") if text_problem(name) else name


def child_path(parent: str, key) -> str:
    return shown(key) if parent == "$" else f"{parent}.{shown(key)}"


def json_problems(value, *, root: str = "$", max_depth: int | None = MAX_JSON_DEPTH) -> dict[str, list[str]]:
    """Every refused text, number or nesting in parsed JSON, by path (the first :data:`MAX_PROBLEMS`).
    Iterative, so that a deep value cannot exhaust the stack here either."""
    problems: dict[str, list[str]] = {}
    stack = [(value, root, 0)]
    while stack and len(problems) < MAX_PROBLEMS:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
        elif item is NOT_FINITE or (isinstance(item, float) and not math.isfinite(item)):
            problem = NOT_FINITE_MESSAGE
        elif isinstance(item, dict | list) and max_depth is not None and depth >= max_depth:
            problem = TOO_DEEP_MESSAGE
        elif isinstance(item, dict):
            problem = None
            for key, child in item.items():
                key_problem = text_problem(key) if isinstance(key, str) else None
                if key_problem:
                    problems.setdefault(child_path(path, key), []).append(f"字段名{key_problem}")
                stack.append((child, child_path(path, key), depth + 1))
        elif isinstance(item, list):
            problem = None
            stack.extend((child, child_path(path, index), depth + 1) for index, child in enumerate(item))
        else:
            problem = None
        if problem:
            problems.setdefault(path, []).append(problem)
    return problems


def refusal(problems: dict[str, list[str]], error=RefusedInput) -> RefusedInput:
    """One error naming the first refused field in its message and every one in its details."""
    path, messages = next(iter(problems.items()))
    parts = path.split(".")
    shown = path if len(parts) <= 4 else ".".join(parts[:4]) + "…"  # a path 100 levels deep, shortened
    where = "" if path == "$" else f"{shown}："
    return error(f"提交的数据有误：{where}{messages[0]}", details=problems)


def check_texts(pairs: Iterable[tuple[str, str]]) -> None:
    """Refuse (name, text) pairs — a query string, a form post — if any text holds a refused
    character; the name is checked too."""
    problems: dict[str, list[str]] = {}
    for name, text in pairs:
        for problem in filter(None, (text_problem(name), text_problem(text))):
            problems.setdefault(shown(name), []).append(problem)
    if problems:
        raise refusal(problems)


def loads(raw: bytes | str, *, root: str = "$", max_depth: int | None = MAX_JSON_DEPTH,
          require_object: bool = False, check_values: bool = True):
    """Parse JSON the platform accepts, or raise :class:`RefusedInput` naming the field:
    :class:`UnreadableJSON` when it is not JSON, :class:`JSONTooDeep` when it nests too deep.
    ``check_values=False`` leaves texts and numbers to the caller (``NaN`` parsed as Python's),
    which judges them item by item (the inbound exchange)."""
    hooks = {"parse_constant": lambda _name: NOT_FINITE, "parse_float": _finite_float} if check_values else {}
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text, **hooks)
    except RecursionError:  # the decoder's own stack: find where by scanning the text instead
        raise refusal({_too_deep_at(text, root, max_depth or MAX_JSON_DEPTH): [TOO_DEEP_MESSAGE]},
                      JSONTooDeep) from None
    except UnicodeDecodeError:
        raise refusal({root: ["不是 UTF-8 编码的文本"]}, UnreadableJSON) from None
    except json.JSONDecodeError as exc:
        message = f"JSON 格式有误：第 {exc.lineno} 行第 {exc.colno} 列无法解析"
        raise UnreadableJSON(message, details={root: [message]}) from None
    except ValueError:  # an integer of more digits than Python converts
        raise refusal({root: ["JSON 格式有误：数字过长"]}, UnreadableJSON) from None
    problems = json_problems(data, root=root, max_depth=max_depth) if check_values else {}
    if problems:
        too_deep = all(messages == [TOO_DEEP_MESSAGE] for messages in problems.values())
        raise refusal(problems, JSONTooDeep if too_deep else RefusedInput)
    if require_object and not isinstance(data, dict):
        raise refusal({root: [f"应为 JSON 对象（{{…}}），收到{_kind(data)}"]})
    return data


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"\s*:?|[\[\]{},]')


def _too_deep_at(text: str, root: str, max_depth: int) -> str:
    """The path of the first container nested deeper than ``max_depth``, found by a scan of the
    text's strings and brackets (no recursion), for JSON too deep for the decoder."""
    stack: list[list] = []  # per open container: [kind, the key or index being read]
    for token in _TOKEN.finditer(text):
        t = token.group()
        if t[0] == '"':
            if t.endswith(":") and stack:
                stack[-1][1] = json.loads(t[:-1].rstrip())
        elif t in "[{":
            if len(stack) >= max_depth:
                break
            stack.append([t, 0 if t == "[" else None])
        elif t in "]}":
            if stack:
                stack.pop()
        elif stack and stack[-1][0] == "[":
            stack[-1][1] += 1
    path = root
    for _kind, key in stack:
        path = child_path(path, key)
    return path


def _finite_float(text: str):
    value = float(text)
    return value if math.isfinite(value) else NOT_FINITE


def _kind(value) -> str:
    return {list: "数组", str: "字符串", bool: "布尔值", int: "数字", float: "数字"}.get(type(value), "空值")
