"""Judging a clock whose levels start on known days (decision 007): written once, read every day.

A kind with ``derives_levels`` (the step clocks: the district's fixed thresholds from the step's
deadline, ``kinds.practice_starts``) keeps one open alert per running clock, written when the
clock is first judged, with the working days on which each level starts (``warning_from``,
``yellow_from``, ``red_from``). The level pages read is the stored level raised by the starting
days already judged (``models.derived_level``), so an alert becomes a warning, then a card, as
the judged day passes those days, with nothing written. A row whose first level is still ahead is
written too, and pages do not see it until then.

The sweep writes only when a clock starts, stops or changes its deadline:

* a clock with no open alert: written, at the level it holds today (``raised_on`` today) or, not
  yet at any, hidden until its first level's day (``raised_on`` that day, ``raised_at`` its start);
* an open alert whose clock stopped (or left the kind's scope): a reached level is resolved and
  frozen (its starting days cleared, so it never moves again); a hidden row is deleted;
* a changed deadline: the level reached so far is kept as the floor (a level never goes down while
  the alert is open) and the new starting days replace the old; if the clock no longer holds any
  level today, a reached alert is resolved (as the written kinds do) and a new hidden row stands
  for the clock's future.

So the judging statement does not depend on today (``judgement_marks`` fingerprints it without
the day), and a new day's sweep judges only the changed cases' clocks.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import DateField, F, Value

from .kinds import RuleKind, practice_starts
from .models import Alert, JudgedDay, Level, WorkdayOrdinal, derived_level_sql
from .partitions import CaseRange

STARTS = ((Level.WARNING, "warning_from"), (Level.YELLOW, "yellow_from"), (Level.RED, "red_from"))


def _date_literal(day: dt.date) -> str:
    """A date as SQL (an ISO date, so nothing to escape): the sweep's day, written into statements
    that use it many times."""
    literal = f"'{day.isoformat()}'"
    return f"CAST({literal} AS DATE)" if connection.vendor == "postgresql" else literal


def _level_of(prefix: str, day_sql: str) -> str:
    """The level the starting days ``prefix``w/y/r_from give on ``day_sql`` (0: none yet)."""
    whens = " ".join(f"WHEN {prefix}{column} <= {day_sql} THEN {int(level)}"
                     for level, column in reversed(STARTS))
    return f"(CASE {whens} ELSE 0 END)"


def judge(kind: RuleKind, *, today: dt.date, now: dt.datetime, cases=None, part: CaseRange | None = None):
    """Write the alerts of one ``derives_levels`` kind for its running clocks (of ``part``, of
    ``cases`` when given) as the module says; returns a ``services.KindResult``."""
    from .services import KindResult

    result = KindResult()
    part = part or CaseRange()
    if isinstance(cases, (tuple, list, set, frozenset)) and not cases:
        return result
    qn = connection.ops.quote_name
    col = {f.name: qn(f.column) for f in Alert._meta.concrete_fields}
    alert = qn(Alert._meta.db_table)
    starts = practice_starts(kind.practice)

    rows = kind.narrow(kind.rows(today), cases=cases, part=part).filter(kind.scope())
    if not part.whole:
        rows = rows.filter(part.q(kind.case_path))
    if cases is not None:
        rows = rows.filter(**{f"{kind.case_path}__in": cases})
    inner, params = (rows.annotate(sv_subject=F(kind.subject_path), sv_case=F(kind.case_path),
                                   sv_department=kind.department_expr(), sv_due=kind.due_expr())
                     .values_list("sv_subject", "sv_case", "sv_department", "sv_due").query.sql_with_params())
    # The first day of each working-day ordinal: the day a level starts.
    firsts = (f"(SELECT {qn('ordinal')} AS n, MIN({qn('day')}) AS d FROM {qn(WorkdayOrdinal._meta.db_table)} "
              f"GROUP BY {qn('ordinal')})")
    joins, picks = [], []
    for level, column in STARTS:
        if level in starts:
            joins.append(f"LEFT JOIN {firsts} s{int(level)} ON s{int(level)}.n = j.sv_due + {int(starts[level])}")
            picks.append(f"s{int(level)}.d AS {column}")
        else:
            picks.append(f"CAST(NULL AS DATE) AS {column}")
    clocks_sql = (f"SELECT j.sv_subject AS subject, j.sv_case AS case_id, j.sv_department AS department_id, "
                  f"{', '.join(picks)} FROM ({inner}) j {' '.join(joins)} WHERE j.sv_due IS NOT NULL")
    at = connection.ops.adapt_datetimefield_value(now)
    today_sql = _date_literal(today)
    level_now, level_params = derived_level_sql(connection, Value(today, output_field=DateField()))
    in_part, part_params = part.sql(f"{alert}.{col['case']}")
    open_filter = (f"{alert}.{col['kind']} = %s AND {alert}.{col['subject_type']} = %s "
                   f"AND {alert}.{col['resolved_at']} IS NULL AND {in_part}")
    open_params = [kind.key, kind.subject, *part_params]
    if cases is not None:
        case_ids = list(cases) if isinstance(cases, (tuple, list, set, frozenset)) else None
        if case_ids is None:
            case_sql, case_params = cases.query.sql_with_params()
            open_filter += f" AND {alert}.{col['case']} IN ({case_sql})"
            open_params += list(case_params)
        else:
            open_filter += f" AND {alert}.{col['case']} IN ({', '.join(['%s'] * len(case_ids))})"
            open_params += case_ids

    with connection.cursor() as cursor:
        for table in ("sv_clocks", "sv_open"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        try:
            cursor.execute(f"CREATE TEMPORARY TABLE sv_clocks AS {clocks_sql}", params)
            cursor.execute("CREATE INDEX sv_clocks_subject ON sv_clocks (subject)")
            # the open alerts with their level today and, against their clock, what to do:
            # 'gone' (no clock), 'moved' (other starting days), or nothing
            same = " AND ".join(f"(c.{c} = {alert}.{col[c]} OR (c.{c} IS NULL AND {alert}.{col[c]} IS NULL))"
                                for _l, c in STARTS)
            cursor.execute(
                f"CREATE TEMPORARY TABLE sv_open AS SELECT {alert}.{col['id']} AS id, {level_now} AS lvl, "
                f"{alert}.{col['stored_level']} AS stored, "
                f"CASE WHEN c.subject IS NULL THEN 'gone' WHEN {same} THEN '' ELSE 'moved' END AS fate, "
                f"{_level_of('c.', today_sql)} AS lvl_new "
                f"FROM {alert} LEFT JOIN sv_clocks c ON c.subject = {alert}.{col['subject_id']} WHERE {open_filter}",
                [*level_params, *open_params])
            cursor.execute("DELETE FROM sv_open WHERE fate = ''")
            cursor.execute("CREATE INDEX sv_open_id ON sv_open (id)")
            # hidden rows whose clock stopped or moved: gone (a moved clock gets a new one below)
            cursor.execute(f"DELETE FROM {alert} WHERE {col['id']} IN (SELECT id FROM sv_open WHERE lvl = 0)")
            # reached alerts whose clock stopped, or no longer holds a level: resolved, frozen
            (raised, escalated), frozen_params = _frozen(col, alert), [at, at, at]
            level = f"(SELECT o.lvl FROM sv_open o WHERE o.id = {alert}.{col['id']})"
            cursor.execute(
                f"UPDATE {alert} SET {col['stored_level']} = {level}, {raised}, "
                f"{col['stored_escalated_at']} = {escalated}, "
                f"{col['warning_from']} = NULL, {col['yellow_from']} = NULL, {col['red_from']} = NULL, "
                f"{col['resolved_at']} = %s "
                f"WHERE {col['id']} IN (SELECT id FROM sv_open WHERE lvl > 0 AND (fate = 'gone' OR lvl_new = 0))",
                [*frozen_params, at])
            result.resolved = max(cursor.rowcount, 0)
            # reached alerts whose deadline moved and still hold a level: the level reached is the
            # floor, and a higher one today is an escalation now
            higher = f"(SELECT o.lvl_new > o.lvl FROM sv_open o WHERE o.id = {alert}.{col['id']})"
            cursor.execute(
                f"UPDATE {alert} SET {raised}, "
                f"{col['stored_escalated_at']} = CASE WHEN {higher} THEN %s ELSE {escalated} END, "
                f"{col['stored_level']} = (SELECT CASE WHEN o.lvl_new > o.lvl THEN o.lvl_new ELSE o.lvl END "
                f"FROM sv_open o WHERE o.id = {alert}.{col['id']}), "
                + ", ".join(f"{col[c]} = (SELECT k.{c} FROM sv_clocks k WHERE k.subject = {alert}.{col['subject_id']})"
                            for _l, c in STARTS)
                + f" WHERE {col['id']} IN (SELECT id FROM sv_open WHERE lvl > 0 AND fate = 'moved' AND lvl_new > 0)",
                [at, at, *frozen_params[1:]])
            result.escalated = max(cursor.rowcount, 0)
            # clocks with no open alert: written now, at today's level or hidden until their first
            first_day = "COALESCE(c.warning_from, c.yellow_from, c.red_from)"
            lvl = _level_of("c.", today_sql)
            columns = ", ".join(col[n] for n in (
                "kind", "subject_type", "subject_id", "case", "department", "stored_level", "warning_from",
                "yellow_from", "red_from", "first_level", "stored_raised_at", "raised_on", "detail", "notified_level"))
            cursor.execute(
                f"INSERT INTO {alert} ({columns}) SELECT %s, %s, c.subject, c.case_id, c.department_id, {lvl}, "
                f"c.warning_from, c.yellow_from, c.red_from, "
                f"CASE WHEN {lvl} > 0 THEN {lvl} ELSE {_level_of('c.', first_day)} END, "
                f"CASE WHEN {lvl} > 0 THEN %s ELSE NULL END, "
                f"CASE WHEN {lvl} > 0 THEN {today_sql} ELSE {first_day} END, %s, 0 "
                f"FROM sv_clocks c WHERE {first_day} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {alert} "
                f"WHERE {open_filter} AND {alert}.{col['subject_id']} = c.subject) ORDER BY c.subject",
                [kind.key, kind.subject, at, kind.label, *open_params])
            result.raised = max(cursor.rowcount, 0)
        finally:
            for table in ("sv_clocks", "sv_open"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return result


def _first_judged_sql(date_sql: str) -> str:
    """When the first sweep on or after the day ``date_sql`` ran (``JudgedDay``)."""
    qn = connection.ops.quote_name
    return (f"(SELECT MIN({qn('judged_at')}) FROM {qn(JudgedDay._meta.db_table)} "
            f"WHERE {qn('day')} >= {date_sql})")


def _frozen(col: dict, alert: str) -> tuple[str, str]:
    """What the judged days made of an open alert (its level today in ``sv_open.lvl``), to write
    down: a SET clause of when it was raised, and the expression of when it last escalated — the
    first sweep of the day its level began, or this sweep (the parameters: three times its
    moment) if that day is today's, not yet recorded."""
    lvl = f"(SELECT o.lvl FROM sv_open o WHERE o.id = {alert}.{col['id']})"
    stored = f"(SELECT o.stored FROM sv_open o WHERE o.id = {alert}.{col['id']})"
    whens = " ".join(
        f"WHEN {lvl} = {int(level)} AND {stored} < {int(level)} AND {alert}.{col['first_level']} < {int(level)} "
        f"THEN COALESCE({_first_judged_sql(f'{alert}.{col[column]}')}, %s)"
        for level, column in reversed(STARTS) if level > Level.WARNING)
    raised_on = f"{alert}.{col['raised_on']}"
    return (f"{col['stored_raised_at']} = COALESCE({alert}.{col['stored_raised_at']}, {_first_judged_sql(raised_on)}, %s)",
            f"CASE {whens} ELSE {alert}.{col['stored_escalated_at']} END")
