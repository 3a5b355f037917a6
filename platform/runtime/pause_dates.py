"""The dates an officer records for a special procedure (行政许可法 art. 45), read and checked
before anything is written.

A procedure starts when it is recorded, or earlier in the current step: never before the step
opened (nor before acceptance, nor before the day an earlier stop of the clock ended: that day
itself may start it, and is left out once), and
never in the future, since the clock stops from the recorded start and a start that has not
happened cannot stop it. It ends on a day from its start date to today. Each check answers a
list of messages for its field, so a page shows them next to the field and a caller can report
every problem at once.
"""

from __future__ import annotations

import datetime as dt

from core.errors import InvalidInput

from .documents import cn_date
from .models import Case, Pause, Task

DATE_FORMAT_HINT = "请按“年-月-日”填写日期，例如 2026-10-12"


def parse_day(value, field: str, *, default: dt.date) -> dt.date:
    """A date given as a ``date`` or as ``YYYY-MM-DD`` text; ``default`` when nothing is given."""
    if value in (None, ""):
        return default
    if isinstance(value, dt.datetime):
        raise InvalidInput(DATE_FORMAT_HINT, details={field: [DATE_FORMAT_HINT]})
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(DATE_FORMAT_HINT, details={field: [DATE_FORMAT_HINT]}) from None


def start_problems(case: Case, *, task: Task | None, on: dt.date, today: dt.date) -> list[str]:
    if on > today:
        return [f"开始日期不能晚于今天（{cn_date(today)}）：特别程序开始后才能登记"]
    bounds = []
    if task is not None and task.opened_on is not None:
        bounds.append((task.opened_on, f"开始日期不能早于本环节“{task.step_name}”的开始日期（{cn_date(task.opened_on)}）"))
    if case.accepted_on is not None:
        bounds.append((case.accepted_on, f"开始日期不能早于受理日期（{cn_date(case.accepted_on)}）"))
    last = last_pause_end(case)
    if last is not None:  # the day it ended may start the next one: a day is left out once (clock)
        bounds.append((last, f"开始日期不能早于上一次停止计时的结束日期（{cn_date(last)}），同一天不能重复扣除"))
    return [message for bound, message in bounds if on < bound][:1]


def last_pause_end(case: Case) -> dt.date | None:
    """The last day of the case's latest ended pause (None when none has ended)."""
    return (Pause.objects.filter(case=case, ended_on__isnull=False).order_by("-ended_on")
            .values_list("ended_on", flat=True).first())


def end_problems(pause: Pause, *, on: dt.date, today: dt.date) -> list[str]:
    if on < pause.started_on:
        return [f"结束日期不能早于开始日期（{cn_date(pause.started_on)}）"]
    if on > today:
        return [f"结束日期不能晚于今天（{cn_date(today)}）：特别程序结束后再登记"]
    return []


def require(problems: dict[str, list[str]]) -> None:
    """Refuse with every problem at once, each under its field."""
    problems = {field: messages for field, messages in problems.items() if messages}
    if problems:
        first = next(iter(problems.values()))[0]
        raise InvalidInput(first, details=problems)
