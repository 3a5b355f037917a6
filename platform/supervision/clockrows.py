"""Bringing ``ClockRow`` up to date, set-based (``INSERT … SELECT``), and telling the sweep which
cases changed since the last one.

The clocks of cases and their steps are not copied: the sweep reads them from the runtime's rows
(``clock_sources``). ``ClockRow`` holds the few other clocks — open special procedures, open
orders, assigned complaints, running cases pushed in by departments' own systems.

Which cases: those whose ``updated_at`` is not older than the last sync minus ``MARGIN`` (every
runtime service saves the case, so a change to its clock, steps or special procedures shows as a
newer ``updated_at``; the margin covers transactions that committed after the last sync began).
Their special procedures' rows are deleted and re-inserted from the runtime's current state, with deadlines turned
into working-day ordinals by the database through ``WorkdayOrdinal``. Orders are supervision's
own and few: their rows are rebuilt every time. Cases pushed in by departments' own systems
(``ExternalCase``) are brought up to date the same way, by their own ``updated_at`` (a push of the
case or of one of its events sets it). A changed calendar rebuilds everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from .models import ClockRow, Complaint, ExternalCase, ExternalEvent, IndexState, SupervisionOrder, WorkdayOrdinal

MARGIN = dt.timedelta(minutes=10)
OPEN_CASE_STATES = ("received", "correcting", "in_progress", "suspended")
# Events of a pushed case after which its clock no longer runs (the runtime's log kinds).
FINISHING_EVENT_KINDS = ("completed", "delivered", "withdrawn", "refused")


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _c(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def _ord(expr: str) -> str:
    return (f"(SELECT wo.{_c(WorkdayOrdinal, 'ordinal')} FROM {_t(WorkdayOrdinal)} wo "
            f"WHERE wo.{_c(WorkdayOrdinal, 'day')} = {expr})")


def _columns() -> str:
    names = ["group", "subject_id", "case_id", "department_id", "version_id", "step_type", "channel", "limit_days",
             "statutory_limit_days", "due_ord", "statutory_due_ord"]
    return ", ".join(_c(ClockRow, n) for n in names)


@dataclass(frozen=True)
class Changes:
    """What a sync found: everything (``full``), or the cases changed since the last sync."""

    full: bool
    case_ids: tuple[int, ...] = ()
    # the cases updated since this moment were read (None: all): the partitions judge those
    since: dt.datetime | None = None
    # the sync point before this sync (None: a full sync) and this sync's own (``judgement_marks``)
    previous: dt.datetime | None = None
    synced_at: dt.datetime | None = None

    def __len__(self) -> int:
        return len(self.case_ids)


def sync(*, now: dt.datetime, full: bool = False) -> Changes:
    """Bring the clock rows up to date; returns which cases were (re)read."""
    with transaction.atomic():
        return _sync(now=now, full=full)


def _sync(*, now: dt.datetime, full: bool) -> Changes:
    from runtime.models import Case

    state = IndexState.objects.select_for_update().first()
    since = None if full or state is None or state.clocks_synced_at is None else state.clocks_synced_at - MARGIN
    cases = _t(Case)
    c = {n: _c(Case, n) for n in ("id", "state", "updated_at", "paused_since", "accepted_on", "department",
                                   "version", "channel", "promised_limit_days", "statutory_limit_days",
                                   "promised_due_on", "statutory_due_on")}
    open_states = ", ".join(f"'{s}'" for s in OPEN_CASE_STATES)
    changed = f"c.{c['updated_at']} >= %s" if since else "1 = 1"
    params = [connection.ops.adapt_datetimefield_value(since)] if since else []
    with connection.cursor() as cursor:
        if since:
            cursor.execute(f"SELECT c.{c['id']} FROM {cases} c WHERE {changed}", params)
            changes = Changes(False, tuple(row[0] for row in cursor.fetchall()), since, state.clocks_synced_at, now)
        else:
            changes = Changes(True, synced_at=now if state is not None else None)
        if since and 0 < len(changes) <= 5000:  # few: name them (no second scan of the cases)
            changed, params = f"c.{c['id']} IN ({', '.join(str(int(pk)) for pk in changes.case_ids)})", []
        if since and changes.case_ids:
            cursor.execute(f"DELETE FROM {_t(ClockRow)} WHERE {_c(ClockRow, 'group')} <> 'order' AND "
                           f"{_c(ClockRow, 'case_id')} IN (SELECT c.{c['id']} FROM {cases} c WHERE {changed})", params)
        elif not since:
            # everything is rebuilt: on PostgreSQL TRUNCATE (no dead row per old row to vacuum; it
            # holds the table until commit, as the DELETE's transaction would hold its rows)
            cursor.execute(f"TRUNCATE {_t(ClockRow)}" if connection.vendor == "postgresql"
                           else f"DELETE FROM {_t(ClockRow)}")
        if changes.full or changes.case_ids:
            _insert_pauses(cursor, c, cases, changed, params, open_states)
        _sync_external(cursor, since)
        # open orders and assigned complaints (supervision's own; few): rebuilt whole
        _insert_orders(cursor)
        _insert_complaints(cursor)
        if state is not None:
            state.clocks_synced_at = now
            state.save(update_fields=["clocks_synced_at"])
    return changes


def _insert_pauses(cursor, c, cases, changed, params, open_states) -> None:
    from runtime.models import UNJUDGED_PROCEDURES, Pause

    # open special procedures of open cases (not a correction's pause, the applicant's time, nor a
    # public notice's, which the scheduler ends: no one's limit)
    p = {n: _c(Pause, n) for n in ("id", "case", "ended_on", "expected_days", "expected_end_on", "procedure")}
    unjudged = ", ".join(["%s"] * len(UNJUDGED_PROCEDURES))
    cursor.execute(
        f"INSERT INTO {_t(ClockRow)} ({_columns()}) "
        f"SELECT 'pause', p.{p['id']}, c.{c['id']}, c.{c['department']}, c.{c['version']}, '', c.{c['channel']}, "
        f"p.{p['expected_days']}, NULL, {_ord('p.' + p['expected_end_on'])}, NULL "
        f"FROM {_t(Pause)} p JOIN {cases} c ON c.{c['id']} = p.{p['case']} "
        f"WHERE {changed} AND p.{p['ended_on']} IS NULL AND c.{c['state']} IN ({open_states}) "
        f"AND p.{p['procedure']} NOT IN ({unjudged})", [*params, *UNJUDGED_PROCEDURES])


def _sync_external(cursor, since: dt.datetime | None) -> None:
    """Clock rows of the pushed cases changed since ``since`` (all without it): a case accepted,
    in progress (not suspended: its clock is stopped), with no completion date and no finishing
    event. Its deadlines are stored with it: the dates its system pushed, or else those
    ``runtime.clock.deadlines`` computed when it was pushed (``inbound``)."""
    from designer.models import ApprovalItem

    x = {n: _c(ExternalCase, n) for n in ("id", "owner", "item", "channel", "state", "accepted_on", "completed_on",
                                           "promised_limit_days", "statutory_limit_days", "extension_days",
                                           "paused_days", "promised_due_on", "statutory_due_on", "updated_at")}
    e = {n: _c(ExternalEvent, n) for n in ("case", "kind")}
    i = {n: _c(ApprovalItem, n) for n in ("id", "current_version")}
    changed, params = (f"x.{x['updated_at']} >= %s", [connection.ops.adapt_datetimefield_value(since)]) if since \
        else ("1 = 1", [])
    if since:
        cursor.execute(f"DELETE FROM {_t(ClockRow)} WHERE {_c(ClockRow, 'group')} = 'external' AND "
                       f"{_c(ClockRow, 'subject_id')} IN (SELECT x.{x['id']} FROM {_t(ExternalCase)} x "
                       f"WHERE {changed})", params)
    finishing = ", ".join(f"'{k}'" for k in FINISHING_EVENT_KINDS)
    cursor.execute(
        f"INSERT INTO {_t(ClockRow)} ({_columns()}) "
        f"SELECT 'external', x.{x['id']}, NULL, x.{x['owner']}, i.{i['current_version']}, '', x.{x['channel']}, "
        f"x.{x['promised_limit_days']}, x.{x['statutory_limit_days']}, "
        f"{_ord('x.' + x['promised_due_on'])}, {_ord('x.' + x['statutory_due_on'])} "
        f"FROM {_t(ExternalCase)} x JOIN {_t(ApprovalItem)} i ON i.{i['id']} = x.{x['item']} "
        f"WHERE {changed} AND x.{x['state']} = 'in_progress' AND x.{x['accepted_on']} IS NOT NULL "
        f"AND x.{x['completed_on']} IS NULL AND NOT EXISTS (SELECT 1 FROM {_t(ExternalEvent)} ev "
        f"WHERE ev.{e['case']} = x.{x['id']} AND ev.{e['kind']} IN ({finishing}))", params)


def _insert_orders(cursor) -> None:
    o = {n: _c(SupervisionOrder, n) for n in ("id", "case", "department", "state", "limit_days", "due_on")}
    cursor.execute(f"DELETE FROM {_t(ClockRow)} WHERE {_c(ClockRow, 'group')} = 'order'")
    cursor.execute(
        f"INSERT INTO {_t(ClockRow)} ({_columns()}) "
        f"SELECT 'order', o.{o['id']}, o.{o['case']}, o.{o['department']}, NULL, '', '', o.{o['limit_days']}, NULL, "
        f"{_ord('o.' + o['due_on'])}, NULL FROM {_t(SupervisionOrder)} o WHERE o.{o['state']} = 'open'")


def _insert_complaints(cursor) -> None:
    k = {n: _c(Complaint, n) for n in ("id", "case", "department", "state", "limit_days", "due_on")}
    cursor.execute(f"DELETE FROM {_t(ClockRow)} WHERE {_c(ClockRow, 'group')} = 'complaint'")
    cursor.execute(
        f"INSERT INTO {_t(ClockRow)} ({_columns()}) "
        f"SELECT 'complaint', k.{k['id']}, k.{k['case']}, k.{k['department']}, NULL, '', '', k.{k['limit_days']}, NULL, "
        f"{_ord('k.' + k['due_on'])}, NULL FROM {_t(Complaint)} k "
        f"WHERE k.{k['state']} = 'assigned' AND k.{k['department']} IS NOT NULL")


def reset() -> None:
    """Forget the sync point (the calendar changed: every deadline's ordinal may differ)."""
    IndexState.objects.update(clocks_synced_at=None)


def synced_at() -> dt.datetime | None:
    state = IndexState.objects.first()
    return state.clocks_synced_at if state else None

