"""The process-wide calendar snapshot, rebuilt when the calendar changes.

Building a :class:`WorkCalendar` reads two small tables; it is cached in the process and keyed
by a revision number kept in Django's cache (shared through Redis in production), which every
calendar change bumps. The revision is read at most once per ``REVISION_CHECK_SECONDS`` (every
step of a case computes due dates, several per step, and with Redis each read is a round trip), so
another process's change shows within that second and this process's own at once. A process
that misses a bump still reloads within ``MAX_AGE`` seconds.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache

from .arithmetic import WorkCalendar

REVISION_KEY = "workdays:revision"
MAX_AGE = 300.0
REVISION_CHECK_SECONDS = 1.0

_lock = threading.Lock()
_snapshot: tuple[object, float, WorkCalendar] | None = None
_checked: tuple[float, object] | None = None  # (when, revision) of the last read of the revision


def build_calendar() -> WorkCalendar:
    from .models import CalendarYear, SpecialDay

    years = CalendarYear.objects.values_list("year", flat=True)
    exceptions = {d: kind == SpecialDay.Kind.WORKDAY for d, kind in SpecialDay.objects.values_list("date", "kind")}
    return WorkCalendar(years, exceptions)


def _revision(now: float):
    global _checked
    checked = _checked
    if checked is not None and now - checked[0] < REVISION_CHECK_SECONDS:
        return checked[1]
    revision = cache.get(REVISION_KEY, 0)
    _checked = (now, revision)
    return revision


def current_calendar() -> WorkCalendar:
    global _snapshot
    now = time.monotonic()
    revision = _revision(now)
    snapshot = _snapshot
    if snapshot and snapshot[0] == revision and now - snapshot[1] < MAX_AGE:
        return snapshot[2]
    with _lock:
        calendar = build_calendar()
        _snapshot = (revision, time.monotonic(), calendar)
        return calendar


def calendar_changed() -> None:
    """Invalidate every process's snapshot; call after any change to the calendar tables."""
    global _snapshot, _checked
    try:
        cache.incr(REVISION_KEY)
    except ValueError:
        cache.set(REVISION_KEY, 1, timeout=None)
    _snapshot = _checked = None
