"""The staff workbench's lists (工作台): 待办 (the steps on the person's desk, and for the legal
office the item versions waiting for its review), 已办 (cases the person acted on) and 全部可见
(every case the person may see). Each row carries its deadline, the working days left as the clock
counts them (``runtime.clock``) and supervision's mark (预警 / 黄牌 / 红牌) when it has raised one.
Every list is read through ``case_search`` (the cases the person may see, filtered by the search)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from core.paging import CappedCount, count_capped
from designer import access as designer_access
from designer import selectors as designer_selectors

from . import clock
from .access import inbox
from .case_search import CaseQuery, search_cases
from .extensions import Mark, marks_for
from .models import Case, Task

TABS = {"todo": "待办", "done": "已办", "all": "全部可见"}


@dataclass(frozen=True)
class Row:
    case: Case
    task: Task | None  # the step on the desk (待办), else None
    due_on: dt.date | None
    left: int | None  # working days left (negative: late); None when no deadline runs
    provisional: bool
    finished: bool
    mark: Mark | None


def todo_tasks(user, query: CaseQuery) -> QuerySet[Task]:
    """The open steps the person may act on now (``access.inbox``), most urgent first."""
    tasks = inbox(user)
    return tasks if query.is_empty else tasks.filter(query.condition(prefix="case__"))


def reviews_waiting(user):
    """For the legal office: the items whose submitted version waits for its review."""
    if not designer_access.can_review(user):
        return designer_selectors.review_queue().none()
    return designer_selectors.review_queue()


def tab_rows(user, tab: str, query: CaseQuery):
    """The rows of one tab, unpaged (a queryset: the page reads only its slice)."""
    if tab == "todo":
        return todo_tasks(user, query)
    return search_cases(user, query, acted=(tab == "done"))


def counts(user, query: CaseQuery, *, counted: dict[str, CappedCount] | None = None) -> dict[str, CappedCount]:
    """Each tab's count, stopping at ``core.paging.COUNT_CAP`` as the lists' pages do ("1,000+"):
    an exact count of everything a district-wide role sees read a million cases per page view.
    ``counted``: the rows of a tab already counted (the shown tab's pager), not counted again."""
    counted = counted or {}

    def count(tab: str) -> CappedCount:
        return counted.get(tab) or count_capped(tab_rows(user, tab, query))

    todo, reviews = count("todo"), (reviews_waiting(user).count() if query.is_empty else 0)
    return {"todo": CappedCount(min(todo.value + reviews, todo.cap + 1), todo.cap),
            "done": count("done"), "all": count("all")}


def rows_of(objects, *, on: dt.date | None = None) -> list[Row]:
    """Rows of one page of tasks or cases, with supervision's marks read once for the page."""
    on = on or clock.today()
    objects = list(objects)
    cases = [o.case if isinstance(o, Task) else o for o in objects]
    marks = marks_for([c.pk for c in cases])
    rows = []
    for obj, case in zip(objects, cases, strict=True):
        if isinstance(obj, Task):
            step = clock.step_status(obj, case, on)
            rows.append(Row(case, obj, step.due_on, step.remaining_days, obj.due_provisional, False,
                            marks.get(case.pk)))
            continue
        status = clock.status(case, on)
        finished = not case.is_open
        rows.append(Row(case, None, status.due_on, None if finished else status.remaining_days,
                        status.provisional, finished, marks.get(case.pk)))
    return rows
