"""The clock, as the law counts it: one module computes every date of a case's clock.

All counts are in working days from the district calendar (``workdays``), counted from the day
after the event (民法典 art. 201):

* receipt → the acceptance decision is due on the 5th working day after receipt
  (``acceptance_due_on``); with no decision and no correction notice by the end of that day the
  case counts as accepted on the receipt date (行政许可法 art. 32);
* acceptance → ``statutory_due_on`` = acceptance + statutory limit + approved extensions + paused
  working days; ``promised_due_on`` likewise with the promised limit (extensions extend only the
  statutory limit);
* a pause leaves out every working day from its first to its last day, **both included**, that
  the period would otherwise have counted (:func:`left_out`): for the case's limits those after
  the acceptance day, for a step's limit those after its opening day (and not after its
  completion). A special procedure (art. 45) runs from its recorded start date to its recorded
  end date; a correction the item stops the clock for from the day after the notice to the day
  of the resubmission (:func:`first_left_out`). While it runs, the due dates stand still; when it
  ends they move by exactly those working days;
* a task's own due date is its opening date + the step's limit + the pauses it lived through.

Results past the entered calendar are *provisional* (``clock_provisional``); :func:`recompute`
runs again when the calendar changes. Used and remaining days are computed for a given day by
:func:`status`, never stored (they change every day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from workdays import add_working_days, working_days_between

from .models import Case, Pause, Task

ONE_DAY = dt.timedelta(days=1)
ACCEPTANCE_WINDOW_DAYS = 5
PREREVIEW_LIMIT_DAYS = 2  # 网上预审: the default when the item sets no limit of its own
CORRECTION_LIMIT_DAYS = 15  # 补正期限 the notice gives the applicant, unless the item sets its own


def correction_due_on(notice_day: dt.date, limit_days: int) -> dt.date:
    """By when the applicant is asked to correct: ``limit_days`` working days after the notice."""
    return add_working_days(notice_day, limit_days).value


def today() -> dt.date:
    return timezone.localdate()


def start(case: Case, received_on: dt.date, *, statutory: int, promised: int, prereview: int | None = None) -> None:
    """Set the clock of a newly received (or corrected and received again) case. ``prereview`` is
    the pre-review limit of an online application (网上预审), ``None`` at a window."""
    due = add_working_days(received_on, ACCEPTANCE_WINDOW_DAYS)
    case.received_on = received_on
    case.acceptance_due_on = due.value
    case.statutory_limit_days = statutory
    case.promised_limit_days = promised
    case.prereview_limit_days = prereview
    case.clock_provisional = due.provisional
    _prereview_due(case)


def _prereview_due(case: Case) -> None:
    """Pre-review ends no later than the acceptance window (it is part of it)."""
    if case.prereview_limit_days is None:
        case.prereview_due_on = None
        return
    due = add_working_days(case.received_on, min(case.prereview_limit_days, ACCEPTANCE_WINDOW_DAYS))
    case.prereview_due_on = due.value


def accept(case: Case, accepted_on: dt.date, *, deemed: bool = False) -> None:
    case.accepted_on = accepted_on
    case.deemed_accepted = deemed
    _due_dates(case)


@dataclass(frozen=True)
class Deadlines:
    statutory_due_on: dt.date
    promised_due_on: dt.date
    provisional: bool


def deadlines(accepted_on: dt.date, *, statutory_limit: int, promised_limit: int, extension_days: int = 0,
              paused_days: int = 0) -> Deadlines:
    """A case's two deadlines from its facts: the one formula, for the runtime's cases and for the
    cases departments' own systems push (``supervision.inbound``).

    An approved extension lengthens the statutory limit only (行政许可法 art. 42: "经本行政机关负责人
    批准，可以延长十日"); the promised limit is the department's own commitment and is not extended.
    Paused working days (special procedures, art. 45; a correction that stops the clock) are not
    counted against either."""
    statutory = add_working_days(accepted_on, statutory_limit + extension_days + paused_days)
    promised = add_working_days(accepted_on, promised_limit + paused_days)
    return Deadlines(statutory.value, promised.value, statutory.provisional or promised.provisional)


def _due_dates(case: Case) -> None:
    if case.accepted_on is None:
        due = add_working_days(case.received_on, ACCEPTANCE_WINDOW_DAYS)
        case.acceptance_due_on = due.value
        case.clock_provisional = due.provisional
        return
    due = deadlines(case.accepted_on, statutory_limit=case.statutory_limit_days,
                    promised_limit=case.promised_limit_days, extension_days=case.extension_days,
                    paused_days=case.paused_days)
    case.statutory_due_on, case.promised_due_on = due.statutory_due_on, due.promised_due_on
    case.clock_provisional = due.provisional


def task_due(task: Task) -> None:
    due = add_working_days(task.opened_on, task.limit_days + task.paused_days)
    task.due_on = due.value
    task.due_provisional = due.provisional


def left_out(first: dt.date, last: dt.date, *, counted_after: dt.date) -> int:
    """The working days from ``first`` to ``last``, both included, that a period counted from the
    day after ``counted_after`` would have counted (none of them when ``last`` is before it)."""
    return max(0, working_days_between(max(first - ONE_DAY, counted_after), last).value)


def expected_end(started_on: dt.date, expected_days: int) -> dt.date:
    """The last day of a procedure that takes ``expected_days`` working days from its start
    date, the start date counting as the first when it is a working day. A correction's pause
    (no expected length) has its start date."""
    if expected_days <= 0:
        return started_on
    return add_working_days(started_on - ONE_DAY, expected_days).value


def first_left_out(pause: Pause, previous_end: dt.date | None = None) -> dt.date:
    """The first day a pause leaves out: a special procedure's recorded start date; for a
    correction, the day after the notice (the applicant's period starts the next day, 民法典
    art. 201; the notice day was the office's). A day is left out once: a pause that starts on
    the day an earlier one ended (``previous_end``: a public notice or a second special procedure
    opened when the first ended) leaves out only the days after it."""
    first = pause.started_on + ONE_DAY if pause.is_correction else pause.started_on
    return max(first, previous_end + ONE_DAY) if previous_end is not None else first


def _case_left_out(case: Case, first: dt.date, last: dt.date) -> int:
    # before acceptance no limit runs yet: then the pause's own working days
    return left_out(first, last, counted_after=case.accepted_on or first - ONE_DAY)


def _task_left_out(task: Task, first: dt.date, last: dt.date) -> int:
    if task.completed_at is not None:
        last = min(last, timezone.localdate(task.completed_at))
    return left_out(first, last, counted_after=task.opened_on)


def pause_start(case: Case, pause: Pause, previous_end: dt.date | None = None) -> None:
    """``previous_end``: the last day of the case's latest ended pause, if any."""
    pause.expected_end_on = expected_end(pause.started_on, pause.expected_days)
    case.paused_since = first_left_out(pause, previous_end)


def pause_end(case: Case, pause: Pause, ended_on: dt.date, open_tasks: list[Task]) -> None:
    pause.ended_on = ended_on
    first = case.paused_since or first_left_out(pause)
    pause.working_days = _case_left_out(case, first, ended_on)
    case.paused_since = None
    if case.accepted_on is not None:
        case.paused_days += pause.working_days
    for task in open_tasks:
        task.paused_days += _task_left_out(task, first, ended_on)
        task_due(task)
    _due_dates(case)


def extend(case: Case, days: int) -> None:
    case.extension_days += days
    _due_dates(case)


def recompute(case: Case, tasks: list[Task], pauses: list[Pause]) -> None:
    """Recompute every stored date from the events (after a calendar change)."""
    case.paused_days = 0
    ended = sorted((pause for pause in pauses if pause.ended_on is not None), key=lambda p: (p.started_on, p.ended_on))
    for pause in pauses:
        pause.expected_end_on = expected_end(pause.started_on, pause.expected_days)
    firsts, previous_end = [], None
    for pause in ended:
        first = first_left_out(pause, previous_end)
        firsts.append((first, pause.ended_on))
        previous_end = pause.ended_on
        pause.working_days = _case_left_out(case, first, pause.ended_on)
        if case.accepted_on is not None:
            case.paused_days += pause.working_days
    for task in tasks:
        task.paused_days = sum(_task_left_out(task, first, last) for first, last in firsts)
        task_due(task)
    _prereview_due(case)
    _due_dates(case)


@dataclass(frozen=True)
class ClockStatus:
    """The clock on one day, as shown to people and read by supervision."""

    on: dt.date
    phase: str  # "acceptance" | "running" | "paused" | "stopped"
    limit_days: int
    used_days: int
    remaining_days: int
    due_on: dt.date | None
    promised_due_on: dt.date | None
    provisional: bool
    paused_since: dt.date | None

    @property
    def overdue_days(self) -> int:
        """Working days past the limit (超期), 0 while within it."""
        return max(0, -self.remaining_days)


def status(case: Case, on: dt.date | None = None) -> ClockStatus:
    on = on or today()
    if case.accepted_on is None:
        used = working_days_between(case.received_on, on)
        return ClockStatus(on, "acceptance", ACCEPTANCE_WINDOW_DAYS, used.value,
                           ACCEPTANCE_WINDOW_DAYS - used.value, case.acceptance_due_on, None,
                           case.clock_provisional or used.provisional, None)
    end = on
    if case.completed_on is not None:
        end = min(on, case.completed_on)
    used = working_days_between(case.accepted_on, end)
    used_days = used.value - case.paused_days
    if case.paused_since is not None:
        used_days -= left_out(case.paused_since, end, counted_after=case.accepted_on)
    limit = case.statutory_limit_days + case.extension_days
    phase = "stopped" if case.completed_on else ("paused" if case.paused_since else "running")
    return ClockStatus(on, phase, limit, max(0, used_days), limit - max(0, used_days), case.statutory_due_on,
                       case.promised_due_on, case.clock_provisional or used.provisional, case.paused_since)


@dataclass(frozen=True)
class StepStatus:
    """A task's own clock on one day (the rules' ``case.step_*`` facts)."""

    due_on: dt.date | None
    used_days: int
    remaining_days: int | None


def step_status(task: Task, case: Case, on: dt.date | None = None) -> StepStatus:
    """Working days the task has used (its pauses, ended or running, not counted) and those left
    until its due date (negative when late), on ``on``."""
    on = on or today()
    end = on if task.completed_at is None else min(on, timezone.localdate(task.completed_at))
    used = working_days_between(task.opened_on, end).value - task.paused_days
    if case.paused_since is not None and task.completed_at is None:
        used -= max(0, working_days_between(max(case.paused_since, task.opened_on), end).value)
    left = working_days_between(on, task.due_on).value if task.due_on is not None else None
    return StepStatus(task.due_on, max(0, used), left)
