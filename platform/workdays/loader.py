"""The process-wide calendar snapshot, rebuilt when the calendar changes.

Building a :class:`WorkCalendar` reads two small tables; it is cached in the process and keyed
by a revision number kept in Django's cache (shared through Redis in production), which every
calendar change bumps. A process that misses a bump still reloads within ``MAX_AGE`` seconds.
"""

from __future__ import annotations

import threading
import time

from django.core.cache import cache

from .arithmetic import WorkCalendar

REVISION_KEY = "workdays:revision"
MAX_AGE = 300.0

_lock = threading.Lock()
_snapshot: tuple[object, float, WorkCalendar] | None = None


def build_calendar() -> WorkCalendar:
    from .models import CalendarYear, SpecialDay

    years = CalendarYear.objects.values_list("year", flat=True)
    exceptions = {d: kind == SpecialDay.Kind.WORKDAY for d, kind in SpecialDay.objects.values_list("date", "kind")}
    return WorkCalendar(years, exceptions)


def current_calendar() -> WorkCalendar:
    global _snapshot
    revision = cache.get(REVISION_KEY, 0)
    snapshot = _snapshot
    if snapshot and snapshot[0] == revision and time.monotonic() - snapshot[1] < MAX_AGE:
        return snapshot[2]
    with _lock:
        calendar = build_calendar()
        _snapshot = (revision, time.monotonic(), calendar)
        return calendar


def calendar_changed() -> None:
    """Invalidate every process's snapshot; call after any change to the calendar tables."""
    global _snapshot
    try:
        cache.incr(REVISION_KEY)
    except ValueError:
        cache.set(REVISION_KEY, 1, timeout=None)
    _snapshot = None
