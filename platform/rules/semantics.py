"""The meaning of values in a rule: truthiness, equality, ordering, numbers and dates.

These functions are the single definition of the platform's semantics (docs/rules.md,
"语义"). They deliberately differ from json-logic-qubit where the library coerces silently:

* truthiness follows the JsonLogic reference: ``null``, ``false``, ``0``, ``""`` and ``[]`` are
  false; everything else (including ``{}`` and ``"0"``) is true;
* equality is strict: no type coercion (``"1" == 1`` is false), but ``1 == 1.0``; ``true`` is
  not the number 1;
* ordering compares numbers with numbers and strings with strings (ISO dates order correctly
  as strings); ``null`` on either side makes the comparison false; any other mix is an
  evaluation error rather than a guess;
* arithmetic takes numbers only; ``null`` in gives ``null`` out (as in SQL, so compiled
  queries agree); division or remainder by zero gives ``null``; results beyond ±2^53 are an
  error.

Operations raise :class:`EvalFailure` with a Chinese message; the evaluator turns it into a
:class:`~rules.errors.RuleEvaluationError` naming the path of the node that failed.
"""

from __future__ import annotations

import datetime as dt
import math
import re

MAX_SAFE_INTEGER = 2**53  # beyond this, JSON consumers (browsers) lose precision
MAX_STRING = 100_000  # longest string an operation may build
MAX_LIST = 100_000  # longest list an operation may build

JSON_SCALARS = (str, int, float, bool, type(None))
_NUMBER_TYPES = (int, float)


class EvalFailure(Exception):
    """Raised by an operation when its arguments make no sense; the message is shown to users."""


# -- type names (used by validation and in messages) ------------------------------------------

TYPE_LABELS = {
    "number": "数字",
    "string": "文本",
    "boolean": "是/否",
    "null": "空值",
    "array": "列表",
    "object": "对象",
    "date": "日期",
    "any": "任意值",
}


def type_of(value) -> str:
    """The JSON type name of a runtime value."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if type(value) in _NUMBER_TYPES:
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def describe(value) -> str:
    """A short Chinese description of a value for error messages."""
    kind = type_of(value)
    label = TYPE_LABELS.get(kind, kind)
    if kind in ("number", "string"):
        text = str(value)
        return f"{label}“{text[:30]}{'…' if len(text) > 30 else ''}”"
    if kind == "boolean":
        return f"{label}（{'是' if value else '否'}）"
    return label


# -- truthiness and equality -------------------------------------------------------------------


def truthy(value) -> bool:
    if value is None or value is False:
        return False
    if value is True:
        return True
    if type(value) in _NUMBER_TYPES:
        return value != 0
    if isinstance(value, str | list):
        return len(value) > 0
    return True  # objects, including {}, are true (as in the JsonLogic reference)


def strict_equal(a, b) -> bool:
    """Equality without coercion; numbers compare by value whatever their Python type."""
    if a is None or b is None:
        return a is b
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is list:
            return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
        if ta is dict:
            return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
        return a == b
    if ta in _NUMBER_TYPES and tb in _NUMBER_TYPES:
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


# -- ordering ----------------------------------------------------------------------------------


def _orderable(a, b) -> bool:
    """True if ``a`` and ``b`` can be ordered; False if either is null; error on a mix."""
    if a is None or b is None:
        return False
    ta, tb = type(a), type(b)
    if ta in _NUMBER_TYPES and tb in _NUMBER_TYPES:
        return True
    if isinstance(a, str) and isinstance(b, str):
        return True
    raise EvalFailure(f"无法比较大小：{describe(a)}与{describe(b)}")


def less(a, b) -> bool:
    return _orderable(a, b) and a < b


def less_equal(a, b) -> bool:
    return _orderable(a, b) and a <= b


def greater(a, b) -> bool:
    return _orderable(a, b) and a > b


def greater_equal(a, b) -> bool:
    return _orderable(a, b) and a >= b


# -- numbers -----------------------------------------------------------------------------------


def number(value):
    """``value`` if it is a number (booleans are not); raise otherwise. ``None`` passes through."""
    if type(value) in _NUMBER_TYPES or value is None:
        return value
    raise EvalFailure(f"需要数字，得到{describe(value)}")


def integer(value) -> int:
    """A whole number (``3`` or ``3.0``) as an int."""
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise EvalFailure(f"需要整数，得到{describe(value)}")


def checked(result):
    """Refuse results a JSON consumer cannot represent exactly (huge integers, inf, NaN)."""
    if type(result) is int:
        if -MAX_SAFE_INTEGER <= result <= MAX_SAFE_INTEGER:
            return result
    elif math.isfinite(result):
        return result
    raise EvalFailure("数值超出可计算范围")


def tidy(result: float):
    """Whole-valued quotients read as integers (``6 / 3`` is ``2``, as in JavaScript)."""
    return int(result) if result.is_integer() and abs(result) <= MAX_SAFE_INTEGER else result


# -- dates -------------------------------------------------------------------------------------

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date_text(value) -> bool:
    """True for an ISO calendar date ``YYYY-MM-DD`` that exists."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_date_like(value) -> bool:
    """True for text :func:`parse_date` accepts (a date, or a date-time)."""
    try:
        return parse_date(value) is not None
    except EvalFailure:
        return False


def parse_date(value) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` or an ISO date-time (taken in the platform's time zone)."""
    if value is None:
        return None
    if isinstance(value, str):
        if _DATE.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        elif len(value) > 10 and _DATE.match(value) and value[10] in "T ":
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                return _local_date(moment)
    raise EvalFailure(f"需要日期（如 2026-03-01），得到{describe(value)}")


def _local_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        return moment.date()
    from django.utils import timezone

    return timezone.localdate(moment)


def date_text(day: dt.date) -> str:
    return day.isoformat()


# -- plain JSON --------------------------------------------------------------------------------


def json_copy(value, *, max_depth: int = 200):
    """A deep copy of plain JSON (iterative, so deep data cannot exhaust the stack).

    Results handed back to callers are copies, so a caller that edits a result can never edit
    the data the rule read.
    """
    if type(value) not in (list, dict):
        return value
    root = [] if type(value) is list else {}
    stack = [(value, root, 0)]
    while stack:
        source, target, depth = stack.pop()
        if depth > max_depth:
            raise EvalFailure("结果嵌套过深")
        items = enumerate(source) if type(source) is list else source.items()
        for key, item in items:
            if type(item) is list or type(item) is dict:
                child = [] if type(item) is list else {}
                stack.append((item, child, depth + 1))
            elif isinstance(item, JSON_SCALARS):
                child = item
            else:
                raise EvalFailure(f"数据中含有非 JSON 值（{type(item).__name__}）")
            if type(target) is list:
                target.append(child)
            else:
                target[key] = child
    return root
