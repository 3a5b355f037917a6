"""The working-day index: a table the database joins to count working days for every row at once.

``ordinal(d)`` = working days after ``ORIGIN`` up to and including ``d`` (``workdays`` counts them,
so holidays, swapped weekend days and provisional years are exactly the calendar's). Then for any
due date ``ordinal(due) - ordinal(today)`` is the working days left (negative when overdue). The
table covers ``FIRST``–``LAST``; a date outside it has no row, so its days-left is null and no
clock rule holds for it (documented in docs/supervision.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Exists, IntegerField, OuterRef, Subquery, Value
from django.utils import timezone

import workdays

from .models import IndexState, WorkdayOrdinal, WorkdayStart

ORIGIN = dt.date(2003, 12, 31)
FIRST = dt.date(2004, 1, 1)
LAST = dt.date(2040, 12, 31)


def _ordinals() -> list[tuple[dt.date, int]]:
    from workdays.loader import current_calendar

    calendar = current_calendar()  # one snapshot for the whole table
    out, day = [], FIRST
    while day <= LAST:
        out.append((day, calendar.working_days_between(ORIGIN, day).value))
        day += dt.timedelta(days=1)
    return out


def _fingerprint(rows: list[tuple[dt.date, int]]) -> str:
    digest = hashlib.sha256()
    for day, n in rows:
        digest.update(f"{day.toordinal()}:{n};".encode())
    return digest.hexdigest()


def ensure_index() -> bool:
    """Rebuild the table when the calendar changed since it was built; True if rebuilt."""
    rows = _ordinals()
    fingerprint = _fingerprint(rows)
    state = IndexState.objects.first()
    # (both tables in one query: pages call this on every request that counts working days)
    if state and state.fingerprint == fingerprint and \
            WorkdayOrdinal.objects.filter(Exists(WorkdayStart.objects.all())).exists():
        return False
    try:
        with transaction.atomic():
            state = IndexState.objects.select_for_update().first()
            if state and state.fingerprint == fingerprint and WorkdayStart.objects.exists():
                return False
            WorkdayOrdinal.objects.all().delete()
            WorkdayOrdinal.objects.bulk_create([WorkdayOrdinal(day=d, ordinal=n) for d, n in rows], batch_size=5000)
            starts: dict[int, dt.date] = {}
            for d, n in rows:  # (in date order: the first day of each ordinal)
                starts.setdefault(n, d)
            WorkdayStart.objects.all().delete()
            WorkdayStart.objects.bulk_create([WorkdayStart(ordinal=n, day=d) for n, d in starts.items()],
                                             batch_size=5000)
            IndexState.objects.all().delete()
            IndexState.objects.create(fingerprint=fingerprint, built_at=timezone.now())
    except IntegrityError:
        # another worker built the same table at the same moment (the first build has no row to lock)
        return False
    return True


def ordinal_of(day: dt.date) -> int:
    return workdays.working_days_between(ORIGIN, day).value


def days_left(date_field: str, today: dt.date):
    """An expression: working days from ``today`` to the row's ``date_field`` (null if unset)."""
    due = Subquery(WorkdayOrdinal.objects.filter(day=OuterRef(date_field)).values("ordinal")[:1],
                   output_field=IntegerField())
    return due - Value(ordinal_of(today), output_field=IntegerField())


def working_days_since(date_field: str, today: dt.date):
    """Working days after the row's ``date_field`` up to and including ``today``."""
    return -days_left(date_field, today)

