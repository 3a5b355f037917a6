"""Working-day arithmetic, exact and without a day-by-day loop.

A day's status is the weekday rule (Monday–Friday work) corrected by exceptions: a statutory
holiday on a weekday (-1) or a weekend day swapped into a working day (+1). With the exceptions
sorted and summed once, the number of working days up to any date is

    C(x) = weekdays_up_to(x) + sum of exception deltas on or before x

computed in O(log n). Everything else derives from C:

* ``working_days_between(a, b) = C(b) - C(a)``: the working days after ``a`` up to and including
  ``b`` (the law counts a period from the day after the event, 民法典 art. 201);
* ``add_working_days(d, n)`` is the one working day ``x`` with ``C(x) = C(d) + n`` (found by
  binary search over C), for positive and negative ``n``.

So ``working_days_between(d, add_working_days(d, n)) == n`` holds by construction, and a
result of a non-zero ``n`` is always a working day.

Years that nobody has entered follow the weekday rule and make a result *provisional*.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkdayDate:
    value: dt.date
    provisional: bool  # True when a year without an entered calendar was crossed


@dataclass(frozen=True, slots=True)
class WorkdayCount:
    value: int
    provisional: bool


def _weekdays_up_to(ordinal: int) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday, ordinal 1) up to and including ``ordinal``."""
    weeks, rest = divmod(ordinal, 7)
    return 5 * weeks + min(rest, 5)


class WorkCalendar:
    """An immutable snapshot of the calendar: the entered years and their exceptions."""

    def __init__(self, known_years: Iterable[int], exceptions: Mapping[dt.date, bool]):
        """``exceptions`` maps a date to True (worked) or False (rest) where that differs from,
        or merely restates, the weekday rule; restatements are ignored."""
        self.known_years = frozenset(known_years)
        # Remembered per calendar (a snapshot: a changed calendar is a new one, answering afresh):
        # a day's cases ask the same few questions (each step's and the case's due dates).
        self.add_working_days = functools.lru_cache(maxsize=4096)(self._search)
        deltas = []
        for day, worked in exceptions.items():
            weekday_rule = day.weekday() < 5
            if worked != weekday_rule:
                deltas.append((day.toordinal(), 1 if worked else -1))
        deltas.sort()
        self._ordinals = [o for o, _ in deltas]
        self._deltas = {o: d for o, d in deltas}
        running, prefix = 0, []
        for _, delta in deltas:
            running += delta
            prefix.append(running)
        self._prefix = prefix

    # -- the one primitive ------------------------------------------------------------------
    def _cumulative(self, ordinal: int) -> int:
        i = bisect.bisect_right(self._ordinals, ordinal)
        return _weekdays_up_to(ordinal) + (self._prefix[i - 1] if i else 0)

    def _is_workday_ordinal(self, ordinal: int) -> bool:
        delta = self._deltas.get(ordinal)
        if delta is not None:
            return delta > 0
        return ordinal % 7 not in (6, 0)  # ordinal % 7: 1=Mon … 5=Fri, 6=Sat, 0=Sun

    def _provisional(self, a: dt.date, b: dt.date) -> bool:
        lo, hi = (a, b) if a <= b else (b, a)
        return any(year not in self.known_years for year in range(lo.year, hi.year + 1))

    # -- public API -------------------------------------------------------------------------
    def is_workday(self, day: dt.date) -> bool:
        return self._is_workday_ordinal(day.toordinal())

    def is_known(self, day: dt.date) -> bool:
        return day.year in self.known_years

    def working_days_between(self, start: dt.date, end: dt.date) -> WorkdayCount:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        count = self._cumulative(end.toordinal()) - self._cumulative(start.toordinal())
        return WorkdayCount(count, self._provisional(start, end))

    def _search(self, start: dt.date, n: int) -> WorkdayDate:
        """The ``n``-th working day after ``start`` (before it, for negative ``n``): ``add_working_days``."""
        if n == 0:
            return WorkdayDate(start, self._provisional(start, start))
        origin = start.toordinal()
        target = self._cumulative(origin) + n
        # Bracket the answer, then binary-search the smallest ordinal whose C reaches target.
        span = abs(n) * 2 + 16
        if n > 0:
            lo, hi = origin, origin + span
            while self._cumulative(hi) < target:
                lo, hi = hi, hi + span
                span *= 2
        else:
            lo, hi = origin - span, origin
            while self._cumulative(lo) >= target:
                lo, hi = lo - span, lo
                span *= 2
        while hi - lo > 1:  # invariant: C(lo) < target <= C(hi)
            mid = (lo + hi) // 2
            if self._cumulative(mid) >= target:
                hi = mid
            else:
                lo = mid
        result = dt.date.fromordinal(hi)
        return WorkdayDate(result, self._provisional(start, result))

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        return day if self.is_workday(day) else self.add_working_days(day, 1).value
