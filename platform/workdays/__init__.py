"""Working-day calendar and arithmetic.

Other apps use the functions below; they always read the current calendar.
"""

from __future__ import annotations

import datetime as dt


def _as_local_date(moment: dt.date | dt.datetime) -> dt.date:
    if isinstance(moment, dt.datetime):
        from django.utils import timezone

        return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment


def add_working_days(start: dt.date | dt.datetime, n: int):
    """The n-th working day after ``start`` (a date, or an instant taken in local time)."""
    from .loader import current_calendar

    return current_calendar().add_working_days(_as_local_date(start), n)


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime):
    """Working days after ``start`` up to and including ``end``, with a provisional flag."""
    from .loader import current_calendar

    return current_calendar().working_days_between(_as_local_date(start), _as_local_date(end))


def is_workday(day: dt.date | dt.datetime) -> bool:
    from .loader import current_calendar

    return current_calendar().is_workday(_as_local_date(day))
