"""Disjoint partitions of the sweep by case-id range, so several workers judge one database at once.

Every row a rule kind judges belongs to one case (its ``case_path``) or to none (a case pushed in
by a department's own system, an order without a case); every alert records that case. A
partition takes the rows and open alerts whose case id lies in ``[start, stop)``; the partition
whose ``start`` is open also takes those of no case. ``plan(parts)`` cuts the ids in use into
``parts`` ranges of equal width, the first and last left open, so together they cover every case,
one created after the plan included, and no case twice.

Why case-id ranges (not departments): ids are dense and evenly spread over time, so equal ranges
are equal work; a city's departments differ by two orders of magnitude in cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import Max, Min, Q

T = TypeVar("T")
# The PostgreSQL advisory lock every running partition holds shared ("SWEP")
RUNNING_LOCK = 0x53574550


@dataclass(frozen=True)
class CaseRange:
    start: int | None = None
    stop: int | None = None

    @property
    def whole(self) -> bool:
        return self.start is None and self.stop is None

    @property
    def takes_caseless(self) -> bool:
        """The rows of no case (pushed cases, item-wide alerts) are judged by this partition."""
        return self.start is None

    def q(self, path: str) -> Q:
        """Rows whose case (at ``path``) is in the range."""
        if self.whole:
            return Q()
        q = Q(**{f"{path}__gte": self.start}) if self.start is not None else Q(**{f"{path}__isnull": True})
        if self.stop is not None:
            within = Q(**{f"{path}__lt": self.stop})
            q = q & within if self.start is not None else q | within
        return q

    def sql(self, column: str) -> tuple[str, list[int]]:
        """The same as a WHERE fragment over ``column``, with its parameters."""
        if self.whole:
            return "1 = 1", []
        if self.start is None:
            return f"({column} IS NULL OR {column} < %s)", [self.stop]
        if self.stop is None:
            return f"{column} >= %s", [self.start]
        return f"({column} >= %s AND {column} < %s)", [self.start, self.stop]

    def as_args(self) -> list[int | None]:
        return [self.start, self.stop]

    def __str__(self) -> str:
        return f"办件编号 [{self.start if self.start is not None else '-∞'}, {self.stop if self.stop is not None else '+∞'})"


def plan(parts: int) -> list[CaseRange]:
    """``parts`` ranges of equal width over the case ids in use (one open range if fewer ids)."""
    from runtime.models import Case

    if parts <= 1:
        return [CaseRange()]
    bounds = Case.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    lo, hi = bounds["lo"], bounds["hi"]
    if lo is None or hi - lo + 1 < parts:
        return [CaseRange()]
    width = (hi - lo + 1) / parts
    cuts = [lo + round(width * i) for i in range(1, parts)]
    starts, stops = [None, *cuts], [*cuts, None]
    return [CaseRange(a, b) for a, b in zip(starts, stops, strict=True)]


def run_partition(work: Callable[[], T]) -> tuple[T, bool]:
    """Run one partition's ``work``, and say whether it ended last: on PostgreSQL each running
    partition holds a shared advisory lock, released once its work is committed; a partition
    that can then take the lock exclusively had no other partition running beside it, so the
    figures of the whole (the dashboard's) are counted once, by it, instead of by every
    partition. A partition queued later counts them again at its own end; a worker that dies
    loses its session and with it the lock. Elsewhere every partition is last."""
    if connection.vendor != "postgresql":
        return work(), True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock_shared(%s)", [RUNNING_LOCK])
    try:
        result = work()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [RUNNING_LOCK])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUNNING_LOCK])
        last = cursor.fetchone()[0]
        if last:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RUNNING_LOCK])
    return result, last
