"""A theme's run as an Excel workbook (openpyxl, as the performance download): the matching cases,
then the counts by department and by item. Rows are streamed (write-only), so a large finding does
not hold every cell in memory."""

from __future__ import annotations

import datetime as dt
import io

from core.spreadsheets import neutralise

from .theme_query import Results

CASE_COLUMNS = ["办件编号", "事项", "实施部门", "状态", "收件日期", "受理日期", "办结日期"]


def to_xlsx(theme, found: Results, *, today: dt.date) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    title = neutralise(f"专题监察：{theme.title}（{today:%Y-%m-%d}运行，共{found.total}件）")
    cases = book.create_sheet("发现办件")
    cases.append([title])
    cases.append(CASE_COLUMNS)
    rows = found.cases.values_list("number", "item__name", "department__name", "state", "received_on",
                                   "accepted_on", "completed_on")
    from runtime.models import CaseState

    states = dict(CaseState.choices)
    for number, item, department, state, received, accepted, completed in rows.iterator(chunk_size=2000):
        cases.append([neutralise(number), neutralise(item), neutralise(department), states.get(state, state),
                      received, accepted, completed])
    for name, figures in (("按部门", found.by_department), ("按事项", found.by_item)):
        sheet = book.create_sheet(name)
        sheet.append([title])
        sheet.append([name.removeprefix("按"), "件数"])
        for label, n in figures:
            sheet.append([neutralise(label), n])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
