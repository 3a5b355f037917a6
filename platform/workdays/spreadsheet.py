"""Reading and writing a year's holiday schedule as a spreadsheet (xlsx or csv, via tablib).

Columns: 日期 (YYYY-MM-DD), 类型 (休 / 班, or 法定节假日 / 调休上班), 名称. The whole file is
checked before anything is saved; every problem is reported with its row number.
"""

from __future__ import annotations

import datetime as dt

import tablib

from core.errors import InvalidInput
from core.spreadsheets import neutralised, restored

from .models import SpecialDay
from .services import DayEntry

HEADERS = ("日期", "类型", "名称")
KIND_WORDS = {
    "休": SpecialDay.Kind.HOLIDAY,
    "法定节假日": SpecialDay.Kind.HOLIDAY,
    "节假日": SpecialDay.Kind.HOLIDAY,
    "班": SpecialDay.Kind.WORKDAY,
    "调休上班": SpecialDay.Kind.WORKDAY,
    "上班": SpecialDay.Kind.WORKDAY,
}


def _cell_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_schedule(content: bytes, *, filename: str, year: int) -> list[DayEntry]:
    """Parse an uploaded schedule, or raise InvalidInput listing every bad row."""
    fmt = "xlsx" if filename.lower().endswith((".xlsx", ".xlsm")) else "csv"
    try:
        data = tablib.Dataset().load(content if fmt == "xlsx" else content.decode("utf-8-sig"), format=fmt)
    except Exception as exc:  # tablib raises many types for unreadable files
        raise InvalidInput(f"无法读取文件“{filename}”，请使用模板中的 xlsx 或 UTF-8 编码的 csv 格式") from exc
    headers = [str(h or "").strip() for h in (data.headers or [])]
    missing = [h for h in HEADERS[:2] if h not in headers]
    if missing:
        raise InvalidInput(f"表头缺少“{'”“'.join(missing)}”列，第1行应为：日期、类型、名称")
    col = {h: headers.index(h) for h in HEADERS if h in headers}

    entries, problems, seen = [], [], {}
    for number, row in enumerate(data, start=2):  # row 1 is the header
        if all(str(c or "").strip() == "" for c in row):
            continue
        day = _cell_date(row[col["日期"]])
        kind = KIND_WORDS.get(str(row[col["类型"]] or "").strip())
        name = str(restored(row[col["名称"]]) or "").strip() if "名称" in col else ""
        if day is None:
            problems.append(f"第{number}行：日期“{row[col['日期']]}”无效，应为 YYYY-MM-DD 格式")
            continue
        if kind is None:
            problems.append(f"第{number}行：类型“{row[col['类型']]}”无效，应为“休”或“班”")
            continue
        if day.year != year:
            problems.append(f"第{number}行：日期 {day} 不属于 {year} 年")
            continue
        if kind == SpecialDay.Kind.WORKDAY and day.weekday() < 5:
            problems.append(f"第{number}行：{day} 本是工作日，不能登记为调休上班")
            continue
        if day in seen:
            problems.append(f"第{number}行：日期 {day} 与第{seen[day]}行重复")
            continue
        seen[day] = number
        entries.append(DayEntry(day, kind, name))
    if problems:
        raise InvalidInput(f"文件中有 {len(problems)} 处错误，未导入任何数据", details={"rows": problems})
    return entries


def schedule_template(entries: list[DayEntry] | None = None) -> bytes:
    data = tablib.Dataset(headers=list(HEADERS))
    words = {SpecialDay.Kind.HOLIDAY: "休", SpecialDay.Kind.WORKDAY: "班"}
    for e in entries or []:
        data.append([e.date.isoformat(), words[e.kind], e.name])
    return neutralised(data).export("xlsx")
