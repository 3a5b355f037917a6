"""Which clock kinds a repeated sweep may judge on the changed cases only.

A clock read in place from the runtime's rows (the case clock, the step clocks: kinds with
``follows_case_changes``) has a level that depends on nothing but today's working-day ordinal, the
rules in force and the rows of its own case; every change to a case, its steps or its special
procedures saves the case (``Case.updated_at``, which ``clockrows.sync`` reads), and these kinds'
alerts are written by the sweep alone. So once a sweep has judged such a kind completely, a later
sweep whose judging statement is the same (its fingerprint: the same ordinal of today, the same
rules compiled, the same scope) and whose sync follows directly on the sync that judgement covered
judges only the changed cases' rows: no other row's level can differ, and their alerts are as
that judgement left them.

The anomaly kinds items declare get a mark too (``of_keys``: which kinds were declared): while
they stay the same, the alerts of kinds no longer declared were ended by that judgement, and the
scan of the open alerts that ends them is spared.

A mark (fingerprint, sync point) is recorded per kind after a whole sweep (``services.sweep``)
judged it without a fault, and only if no other sweep ran beside it (which may have written by
another day's or other rules' judgement: ``partitions.run_partition``). Nothing else records one,
and any sync the kind's judgement did not
follow (a partitioned sweep, a sweep of other kinds, a judgement that failed or skipped a broken
rule) moves the sync point past the mark; a new working day, a rule published or changed, items
newly in use change the fingerprint; a changed calendar (or ``clockrows.reset``) makes the next
sync a full one. In every such case the kind is judged whole again.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import EmptyResultSet

from .clockrows import Changes
from .models import IndexState

FIXED_DAY = dt.date(2004, 1, 1)  # the day a kind that derives its levels is fingerprinted at


def fingerprint(kind, today: dt.date) -> str | None:
    """The fingerprint of the statement that judges ``kind`` today (None: it cannot be judged
    whole by one statement — a rule that does not compile, or none at all)."""
    from .services import level_expression, level_queries

    if kind.derives_levels:  # its statement does not depend on the day (``derived_clocks``)
        from .kinds import practice_starts

        today = FIXED_DAY
        extra = practice_starts(kind.practice)
    else:
        extra = None
    levels, broken = level_queries(kind, today)
    if broken or not levels:
        return None
    judged = kind.rows(today).filter(kind.scope()).annotate(sv_level=level_expression(levels))
    try:
        sql, params = judged.query.sql_with_params()
    except EmptyResultSet:
        return None
    return hashlib.sha256(repr((kind.key, sql, params, extra)).encode()).hexdigest()


def of_keys(keys: list[str]) -> str:
    """The fingerprint of a list of kinds (the anomaly kinds items declare: ``ItemAnomalies``)."""
    return hashlib.sha256(repr(keys).encode()).hexdigest()


def covers(key: str, mark: str | None, changes: Changes | None) -> bool:
    """Whether the last complete judgement of the kind ``key`` was by ``mark`` and ``changes``
    follow directly on it (so only their cases are left to judge)."""
    if mark is None or changes is None or changes.full or changes.previous is None:
        return False
    state = IndexState.objects.first()
    recorded = (state.judged or {}).get(key) if state else None
    return recorded == [mark, changes.previous.isoformat()]


def record(marks: dict[str, str], changes: Changes) -> None:
    """Remember that these kinds (key → fingerprint) were judged completely up to ``changes``."""
    if not marks or changes.synced_at is None:
        return
    state = IndexState.objects.first()
    if state is None:
        return
    judged = dict(state.judged or {})
    judged.update({key: [mark, changes.synced_at.isoformat()] for key, mark in marks.items()})
    IndexState.objects.filter(pk=state.pk).update(judged=judged)
