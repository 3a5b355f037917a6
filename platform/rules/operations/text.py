"""String and list helpers that forms need (lengths, prefixes, multi-select checks, totals).

No regular expressions: a pattern written by an administrator could take exponential time.
"""

from __future__ import annotations

import re

from ..semantics import MAX_STRING, EvalFailure, checked, describe, number, strict_equal
from . import Example, operation

_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _text(value) -> str:
    if not isinstance(value, str):
        raise EvalFailure(f"需要文本，得到{describe(value)}")
    return value


def _list(value) -> list:
    if not isinstance(value, list):
        raise EvalFailure(f"需要列表，得到{describe(value)}")
    return value


@operation("length", label="长度", category="文本", result="number", examples=[
    Example({"length": [{"var": "name"}]}, {"name": "张三丰"}, 3),
    Example({"length": [{"var": "files"}]}, {"files": ["a.pdf", "b.pdf"]}, 2),
    Example({"length": [{"var": "files"}]}, {}, 0),
])
def length(value):
    """文本的字符数或列表的项数；空值为 0。"""
    if value is None:
        return 0
    if isinstance(value, str | list):
        return len(value)
    raise EvalFailure(f"需要文本或列表，得到{describe(value)}")


@operation("trim", label="去首尾空格", category="文本", params=("string",), result="string", nulls="propagate",
           examples=[Example({"trim": ["  张三 "]}, {}, "张三")])
def trim(text):
    """去掉文本首尾的空白（含全角空格）。"""
    return _text(text).strip()


@operation("upper", label="转大写", category="文本", params=("string",), result="string", nulls="propagate",
           examples=[Example({"upper": ["91350100m000100y43"]}, {}, "91350100M000100Y43")])
def upper(text):
    """把文本中的字母转为大写。"""
    return _text(text).upper()


@operation("lower", label="转小写", category="文本", params=("string",), result="string", nulls="propagate",
           examples=[Example({"lower": ["ABC"]}, {}, "abc")])
def lower(text):
    """把文本中的字母转为小写。"""
    return _text(text).lower()


@operation("starts_with", label="开头是", category="文本", params=("string", "string"), result="boolean",
           examples=[Example({"starts_with": [{"var": "phone"}, "0591"]}, {"phone": "0591-8888"}, True)])
def starts_with(text, prefix):
    """文本是否以第二个参数开头。文本为空值时为假。"""
    return text is not None and _text(text).startswith(_text(prefix))


@operation("ends_with", label="结尾是", category="文本", params=("string", "string"), result="boolean",
           examples=[Example({"ends_with": [{"var": "file"}, ".pdf"]}, {"file": "证明.pdf"}, True)])
def ends_with(text, suffix):
    """文本是否以第二个参数结尾。文本为空值时为假。"""
    return text is not None and _text(text).endswith(_text(suffix))


@operation("to_number", label="转为数字", category="文本", result="number", nulls="propagate", examples=[
    Example({"to_number": ["12.5"]}, {}, 12.5),
    Example({"to_number": [" 30 "]}, {}, 30),
    Example({"to_number": [""]}, {}, None),
])
def to_number(value):
    """把数字文本（如“12.5”）明确转换为数字；数字原样返回；空文本为空值；其他文本是计算错误。"""
    if type(value) in (int, float):
        return value
    text = _text(value).strip()
    if text == "":
        return None
    if not _NUMBER_TEXT.fullmatch(text) or len(text) > 40:
        raise EvalFailure(f"“{text[:30]}”不是数字")
    result = float(text) if any(c in text for c in ".eE") else int(text)
    return checked(result)


@operation("join", label="连接列表", category="列表", params=("array", "string"), result="string",
           nulls="propagate", examples=[
    Example({"join": [{"var": "names"}, "、"]}, {"names": ["甲", "乙"]}, "甲、乙"),
])
def join(items, separator):
    """把列表中的文本用分隔符连接起来（项必须是文本或数字）。"""
    parts = []
    for item in _list(items):
        if isinstance(item, str):
            parts.append(item)
        elif type(item) in (int, float):
            parts.append(str(item))
        else:
            raise EvalFailure(f"不能连接{describe(item)}")
    text = _text(separator).join(parts)
    if len(text) > MAX_STRING:
        raise EvalFailure("连接结果过长")
    return text


@operation("sum", label="列表求和", category="列表", params=("array",), result="number", nulls="propagate",
           examples=[
    Example({"sum": [{"map": [{"var": "rooms"}, {"var": "area"}]}]}, {"rooms": [{"area": 20}, {"area": 15.5}]}, 35.5),
])
def sum_(items):
    """列表中各数字之和；空列表为 0；列表中有空值时结果为空值。"""
    total = 0
    for item in _list(items):
        if item is None:
            return None
        total += number(item)
    return checked(total)


@operation("any_in", label="任一项属于", category="列表", params=("array", "array"), result="boolean", examples=[
    Example({"any_in": [{"var": "scopes"}, ["餐饮", "食品销售"]]}, {"scopes": ["零售", "餐饮"]}, True),
])
def any_in(items, allowed):
    """第一个列表（如多选字段）中是否至少有一项出现在第二个列表中。第一个为空值时为假。"""
    if items is None:
        return False
    allowed = _list(allowed)
    return any(any(strict_equal(x, y) for y in allowed) for x in _list(items))


@operation("all_in", label="每项都属于", category="列表", params=("array", "array"), result="boolean", examples=[
    Example({"all_in": [{"var": "scopes"}, ["餐饮", "食品销售"]]}, {"scopes": ["餐饮"]}, True),
    Example({"all_in": [{"var": "scopes"}, ["餐饮"]]}, {"scopes": []}, True),
])
def all_in(items, allowed):
    """第一个列表中的每一项是否都出现在第二个列表中（空列表为真）。第一个为空值时为假。"""
    if items is None:
        return False
    allowed = _list(allowed)
    return all(any(strict_equal(x, y) for y in allowed) for x in _list(items))
