"""Dates, working days (through the platform's calendar) and identity numbers.

Dates travel as ISO text (``2026-03-01``; a date-time such as ``2026-03-01T09:30:00+08:00`` is
taken as its date in the platform's time zone) and come back as ISO dates, so rules and data
stay plain JSON. A null date gives null.
"""

from __future__ import annotations

import datetime as dt

from ..semantics import EvalFailure, date_text, describe, integer, parse_date
from . import Example, operation

MAX_DAYS = 36_500  # a century either way: anything larger is a mistake in the rule

_PROVISIONAL = "计算跨越了尚未录入节假日安排的年份，按周一至周五推算，结果为临时结果"


def _days(value) -> int:
    n = integer(value)
    if abs(n) > MAX_DAYS:
        raise EvalFailure(f"天数过大：{n}")
    return n


def _shift(day: dt.date, days: int) -> dt.date:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise EvalFailure("日期超出范围") from None


@operation("today", label="今天", category="日期", result="date", needs_context=True, examples=[
    Example({"today": []}, {}, "2026-03-02", today="2026-03-02"),
])
def today(ctx):
    """今天的日期（平台时区），同一次计算中保持不变。"""
    return date_text(ctx.today)


@operation("date", label="取日期", category="日期", params=("date",), result="date", nulls="propagate", examples=[
    Example({"date": ["2026-03-01T23:30:00+00:00"]}, {}, "2026-03-02"),
])
def date(value):
    """把日期或日期时间文本转换为平台时区的日期（YYYY-MM-DD）。"""
    return date_text(parse_date(value))


@operation("add_days", label="加自然日", category="日期", params=("date", "number"), result="date",
           nulls="propagate", examples=[
    Example({"add_days": [{"var": "received_on"}, 30]}, {"received_on": "2026-03-01"}, "2026-03-31"),
])
def add_days(day, days):
    """日期加上若干自然日（负数为减）。"""
    return date_text(_shift(parse_date(day), _days(days)))


@operation("days_between", label="相隔自然日", category="日期", params=("date", "date"), result="number",
           nulls="propagate", examples=[
    Example({"days_between": ["2026-03-01", "2026-03-31"]}, {}, 30),
])
def days_between(start, end):
    """从第一个日期到第二个日期相隔的自然日数（第二个更早时为负数）。"""
    return (parse_date(end) - parse_date(start)).days


@operation("date_before", label="早于", category="日期", params=("date", "date"), result="boolean", examples=[
    Example({"date_before": [{"var": "due_on"}, {"today": []}]}, {"due_on": "2026-03-01"}, True, today="2026-03-02"),
    Example({"date_before": [{"var": "due_on"}, "2026-03-01"]}, {}, False),
])
def date_before(a, b):
    """第一个日期是否早于第二个日期（日期时间按平台时区取日期）。任一为空值时为假。"""
    if a is None or b is None:
        return False
    return parse_date(a) < parse_date(b)


@operation("date_after", label="晚于", category="日期", params=("date", "date"), result="boolean", examples=[
    Example({"date_after": ["2026-03-02T08:00:00+08:00", "2026-03-01"]}, {}, True),
])
def date_after(a, b):
    """第一个日期是否晚于第二个日期。任一为空值时为假。"""
    if a is None or b is None:
        return False
    return parse_date(a) > parse_date(b)


@operation("add_working_days", label="加工作日", category="日期", params=("date", "number"), result="date",
           nulls="propagate", needs_context=True, examples=[
    Example({"add_working_days": ["2026-09-30", 1]}, {}, "2026-10-08"),
    Example({"add_working_days": [{"var": "accepted_on"}, 20]}, {"accepted_on": "2026-03-02"}, "2026-03-30"),
])
def add_working_days(ctx, day, days):
    """日期之后第 N 个工作日（按平台的工作日历：法定节假日不计，调休上班日计入；负数为之前）。
    跨越尚未录入的年份时按周一至周五推算，并在试算中注明为临时结果。"""
    from workdays import add_working_days as add

    try:
        result = add(parse_date(day), _days(days))
    except OverflowError:
        raise EvalFailure("日期超出范围") from None
    if result.provisional:
        ctx.note(_PROVISIONAL)
    return date_text(result.value)


@operation("working_days_between", label="相隔工作日", category="日期", params=("date", "date"), result="number",
           nulls="propagate", needs_context=True, examples=[
    Example({"working_days_between": ["2026-09-30", "2026-10-08"]}, {}, 1),
])
def working_days_between(ctx, start, end):
    """第一个日期之后到第二个日期（含）之间的工作日数（民法典：期间从次日起算）；第二个更早时为负数。"""
    from workdays import working_days_between as between

    result = between(parse_date(start), parse_date(end))
    if result.provisional:
        ctx.note(_PROVISIONAL)
    return result.value


@operation("is_workday", label="是工作日", category="日期", params=("date",), result="boolean", nulls="propagate",
           examples=[
    Example({"is_workday": ["2026-10-01"]}, {}, False),
    Example({"is_workday": ["2026-09-30"]}, {}, True),
])
def is_workday(day):
    """该日期是否为工作日（按平台的工作日历）。"""
    from workdays import is_workday as check

    return check(parse_date(day))


# -- identity numbers ----------------------------------------------------------------------------


def _id_text(value) -> str:
    if not isinstance(value, str):
        raise EvalFailure(f"需要身份证号码文本，得到{describe(value)}")
    return value.strip().upper()


@operation("age_from_id", label="按身份证算年龄", category="身份", params=("string", "date"), result="number",
           needs_context=True, examples=[
    Example({"age_from_id": [{"var": "id_number"}]}, {"id_number": "110105199003070025"}, 35, today="2026-03-06"),
    Example({"age_from_id": [{"var": "id_number"}, "2026-03-07"]}, {"id_number": "110105199003070025"}, 36),
    Example({"age_from_id": ["123"]}, {}, None),
])
def age_from_id(ctx, number, on=None):
    """由 18 位公民身份号码算出周岁年龄，按第二个参数的日期计算（省略为今天）。
    号码为空值或无效（格式、出生日期或校验位不对）时为空值。"""
    if number is None:
        return None
    from accounts.identity import id_number_age

    day = ctx.today if on is None else parse_date(on)
    return id_number_age(_id_text(number), day)


@operation("id_number_valid", label="身份证号有效", category="身份", params=("string",), result="boolean", examples=[
    Example({"id_number_valid": ["110105199003070025"]}, {}, True),
    Example({"id_number_valid": ["110105199003070026"]}, {}, False),
])
def id_number_valid(number):
    """是否为有效的 18 位公民身份号码（格式、出生日期、校验位）。空值为假。"""
    if number is None:
        return False
    from accounts.identity import id_number_problem

    return id_number_problem(_id_text(number)) is None


@operation("credit_code_valid", label="信用代码有效", category="身份", params=("string",), result="boolean",
           examples=[
    Example({"credit_code_valid": ["91350100M000100Y43"]}, {}, True),
    Example({"credit_code_valid": ["91350100M000100Y44"]}, {}, False),
])
def credit_code_valid(code):
    """是否为有效的 18 位统一社会信用代码（字符集与校验位）。空值为假。"""
    if code is None:
        return False
    from accounts.identity import credit_code_problem

    return credit_code_problem(_id_text(code)) is None
