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

from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, F, Value

from .kinds import RuleKind, practice_starts
from .models import LEVEL_STARTS, Alert, JudgedDay, Level, WorkdayStart, derived_level_sql
from .partitions import CaseRange

STARTS = tuple(reversed(LEVEL_STARTS))  # (level, its starting day's column), the warning first
NEW_DAYS = {column: f"n{column[0]}" for _level, column in STARTS}  # (in ``sv_open``: nw, ny, nr)


def judge(kind: RuleKind, *, today: dt.date, now: dt.datetime, cases=None, part: CaseRange | None = None):
    """Write the alerts of one ``derives_levels`` kind for its running clocks (of ``part``, of
    ``cases`` when given) as the module says; returns a ``services.KindResult`` (``raised``:
    the alerts at a level today that were not before)."""
    from .services import CLOCK_WORK_MEM, KindResult

    result = KindResult()
    part = part or CaseRange()
    if isinstance(cases, (tuple, list, set, frozenset)) and not cases:
        return result
    qn = connection.ops.quote_name
    col = {f.name: qn(f.column) for f in Alert._meta.concrete_fields}
    alert = qn(Alert._meta.db_table)
    clocks_sql, clocks_params = _clocks(kind, today, cases, part)
    today_sql, at = _date_literal(today), connection.ops.adapt_datetimefield_value(now)
    in_part, part_params = part.sql(f"{alert}.{col['case']}")
    open_filter = (f"{alert}.{col['kind']} = %s AND {alert}.{col['subject_type']} = %s "
                   f"AND {alert}.{col['resolved_at']} IS NULL AND {in_part}")
    open_params = [kind.key, kind.subject, *part_params]
    if cases is not None:
        if isinstance(cases, (tuple, list, set, frozenset)):
            case_sql, case_params = ", ".join(["%s"] * len(cases)), list(cases)
        else:
            case_sql, case_params = cases.query.sql_with_params()
        open_filter += f" AND {alert}.{col['case']} IN ({case_sql})"
        open_params += list(case_params)
    # The open alerts whose clock changed, with what the judged days made of them: ``lvl`` (their
    # level today), ``stored``, ``fate`` ('gone': no clock; 'moved': other starting days), the
    # level the new days give today (``lvl_new``) and those days (``NEW_DAYS``).
    level_now, level_params = derived_level_sql(connection, Value(today, output_field=DateField()))
    same = " AND ".join(f"((c.{c} IS NULL AND {alert}.{col[c]} IS NULL) OR (c.{c} IS NOT NULL AND "
                        f"{alert}.{col[c]} IS NOT NULL AND c.{c} = {alert}.{col[c]}))"  # (never NULL)
                        for _l, c in STARTS)
    open_sql = (f"SELECT {alert}.{col['id']} AS id, {alert}.{col['subject_id']} AS subject, {level_now} AS lvl, "
                f"{alert}.{col['stored_level']} AS stored, CASE WHEN c.subject IS NULL THEN 'gone' ELSE 'moved' END "
                f"AS fate, {_level_of('c.', today_sql)} AS lvl_new, "
                + ", ".join(f"c.{c} AS {n}" for c, n in NEW_DAYS.items())
                + f" FROM {alert} LEFT JOIN sv_clocks c ON c.subject = {alert}.{col['subject_id']} "
                f"WHERE {open_filter} AND NOT (c.subject IS NOT NULL AND {same})")
    open_params = [*level_params, *open_params]
    # What the writes below do, counted from the changed alerts before they are written.
    tally = ("SELECT "
             "SUM(CASE WHEN lvl > 0 AND (fate = 'gone' OR lvl_new = 0) THEN 1 ELSE 0 END), "
             "SUM(CASE WHEN lvl > 0 AND fate = 'moved' AND lvl_new > lvl THEN 1 ELSE 0 END), "
             "SUM(CASE WHEN lvl = 0 AND fate = 'moved' AND lvl_new > 0 THEN 1 ELSE 0 END) FROM sv_open")
    writes = _writes(col, alert, today_sql, at)
    insert_sql, insert_params = _insert(kind, col, alert, today_sql, at, open_filter, open_params[len(level_params):])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the sorts and hashes of a million clocks in memory, not spilled to disk (this
            # transaction only), for the first sweep's insert as for the comparison below
            cursor.execute(f"SET LOCAL work_mem = '{CLOCK_WORK_MEM}'")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {alert} WHERE {open_filter})", open_params[len(level_params):])
        if not cursor.fetchone()[0]:  # no open alert to compare with (a first sweep): only the insert
            if connection.vendor == "postgresql":
                # A plain insert, with no look at the open alerts: just after other kinds' inserts
                # their statistics may still say the table is empty, and a planner that believes
                # it scans the table once per clock (43 s at 20,000 cases). A sweep beside this one
                # that raised one of them first makes the unique constraint refuse the row; the
                # statement, in its savepoint, is then run again with the look.
                plain = _insert(kind, col, alert, today_sql, at, open_filter, open_params[len(level_params):],
                                look=False)
                try:
                    with transaction.atomic():
                        cursor.execute(f"WITH sv_clocks AS ({clocks_sql}), w_new AS ({plain[0]} RETURNING "
                                       f"{col['stored_level']} AS lvl) SELECT count(*) FROM w_new WHERE lvl > 0",
                                       [*clocks_params, *plain[1]])
                except IntegrityError:
                    cursor.execute(f"WITH sv_clocks AS ({clocks_sql}), w_new AS ({insert_sql} RETURNING "
                                   f"{col['stored_level']} AS lvl) SELECT count(*) FROM w_new WHERE lvl > 0",
                                   [*clocks_params, *insert_params])
                result.raised = cursor.fetchone()[0]
            else:
                cursor.execute(f"WITH sv_clocks AS ({clocks_sql}) {insert_sql} RETURNING {col['stored_level']}",
                               [*clocks_params, *insert_params])
                result.raised = sum(1 for (lvl,) in cursor.fetchall() if lvl > 0)
            return result
        if connection.vendor == "postgresql":
            # One statement: the clocks and the changed alerts read once, the writes beside each
            # other (each a data-modifying WITH, all seeing the alerts as they were before it). So
            # a clock whose alert it resolves because the deadline moved gets its new row after it.
            ctes = ", ".join(f"w{i} AS ({sql})" for i, (sql, _p) in enumerate(writes))
            cursor.execute(
                f"WITH sv_clocks AS MATERIALIZED ({clocks_sql}), sv_open AS MATERIALIZED ({open_sql}), {ctes}, "
                f"w_new AS ({insert_sql} RETURNING {col['stored_level']} AS lvl), "
                f"t AS ({tally}) SELECT t.*, (SELECT count(*) FROM w_new WHERE lvl > 0), "
                f"(SELECT array_agg(subject) FROM sv_open WHERE lvl > 0 AND fate = 'moved' AND lvl_new = 0) FROM t",
                [*clocks_params, *open_params, *(x for _sql, p in writes for x in p), *insert_params])
            resolved, escalated, redated, inserted, moved = cursor.fetchone()
            if moved:
                sql, sql_params = _insert(kind, col, alert, today_sql, at, open_filter,
                                          open_params[len(level_params):], subjects=moved)
                cursor.execute(f"WITH sv_clocks AS ({clocks_sql}) {sql}", [*clocks_params, *sql_params])
        else:  # SQLite: the same through temporary tables, one write after the other
            for table in ("sv_clocks", "sv_open"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            try:
                cursor.execute(f"CREATE TEMPORARY TABLE sv_clocks AS {clocks_sql}", clocks_params)
                cursor.execute("CREATE INDEX sv_clocks_subject ON sv_clocks (subject)")
                cursor.execute(f"CREATE TEMPORARY TABLE sv_open AS {open_sql}", open_params)
                cursor.execute(tally)
                resolved, escalated, redated = cursor.fetchone()
                for sql, sql_params in writes:
                    cursor.execute(sql, sql_params)
                cursor.execute(f"{insert_sql} RETURNING {col['stored_level']}", insert_params)
                inserted = sum(1 for (lvl,) in cursor.fetchall() if lvl > 0)
            finally:
                for table in ("sv_clocks", "sv_open"):
                    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    result.resolved, result.escalated, result.raised = resolved or 0, escalated or 0, (inserted or 0) + (redated or 0)
    return result


def _clocks(kind: RuleKind, today: dt.date, cases, part: CaseRange) -> tuple[str, list]:
    """The running clocks (of ``part``, of ``cases``): subject, case, department and the first day
    of each level (``STARTS``; the first day of the working-day ordinal the level starts at)."""
    qn = connection.ops.quote_name
    starts = practice_starts(kind.practice)
    rows = kind.narrow(kind.rows(today), cases=cases, part=part).filter(kind.scope())
    if not part.whole:
        rows = rows.filter(part.q(kind.case_path))
    if cases is not None:
        rows = rows.filter(**{f"{kind.case_path}__in": cases})
    inner, params = (rows.annotate(sv_subject=F(kind.subject_path), sv_case=F(kind.case_path),
                                   sv_department=kind.department_expr(), sv_due=kind.due_expr())
                     .values_list("sv_subject", "sv_case", "sv_department", "sv_due").query.sql_with_params())
    joins, picks = [], []
    for level, column in STARTS:
        if level in starts:
            alias = f"s{int(level)}"
            joins.append(f"LEFT JOIN {qn(WorkdayStart._meta.db_table)} {alias} "
                         f"ON {alias}.{qn('ordinal')} = j.sv_due + {int(starts[level])}")
            picks.append(f"{alias}.{qn('day')} AS {column}")
        else:
            picks.append(f"CAST(NULL AS DATE) AS {column}")
    return (f"SELECT j.sv_subject AS subject, j.sv_case AS case_id, j.sv_department AS department_id, "
            f"{', '.join(picks)} FROM ({inner}) j {' '.join(joins)} WHERE j.sv_due IS NOT NULL"), list(params)


def _writes(col: dict, alert: str, today_sql: str, at) -> list[tuple[str, list]]:
    """The writes to the changed open alerts (``sv_open o``), each (sql, params), none touching a
    row another touches: hidden ones whose clock stopped, deleted; reached ones whose clock stopped
    or no longer holds a level, resolved and frozen; reached ones whose deadline moved, kept at the
    level reached as the floor, with the new days (a level above it today is an escalation now);
    hidden ones whose deadline moved, given the new days (and raised now, if a level holds)."""
    raised, escalated = _frozen(col, alert)
    a, first_day = f"{alert}.{col['id']}", "COALESCE(o.nw, o.ny, o.nr)"
    new_days = ", ".join(f"{col[c]} = o.{n}" for c, n in NEW_DAYS.items())
    cleared = ", ".join(f"{col[c]} = NULL" for c in NEW_DAYS)
    first_level = "(CASE " + " ".join(f"WHEN o.{NEW_DAYS[c]} <= {first_day} THEN {int(level)}"
                                      for level, c in reversed(STARTS)) + " ELSE 0 END)"
    return [
        (f"DELETE FROM {alert} WHERE {col['id']} IN (SELECT id FROM sv_open WHERE lvl = 0 AND fate = 'gone')", []),
        (f"UPDATE {alert} SET {col['stored_level']} = o.lvl, {raised}, {col['stored_escalated_at']} = {escalated}, "
         f"{cleared}, {col['resolved_at']} = %s FROM sv_open o WHERE {a} = o.id AND o.lvl > 0 "
         f"AND (o.fate = 'gone' OR o.lvl_new = 0)", [at, at, at, at]),
        (f"UPDATE {alert} SET {raised}, {col['stored_escalated_at']} = CASE WHEN o.lvl_new > o.lvl THEN %s "
         f"ELSE {escalated} END, {col['stored_level']} = CASE WHEN o.lvl_new > o.lvl THEN o.lvl_new ELSE o.lvl END, "
         f"{new_days} FROM sv_open o WHERE {a} = o.id AND o.lvl > 0 AND o.fate = 'moved' AND o.lvl_new > 0",
         [at, at, at, at]),
        (f"UPDATE {alert} SET {col['stored_level']} = o.lvl_new, {new_days}, "
         f"{col['first_level']} = CASE WHEN o.lvl_new > 0 THEN o.lvl_new ELSE {first_level} END, "
         f"{col['stored_raised_at']} = CASE WHEN o.lvl_new > 0 THEN %s ELSE NULL END, "
         f"{col['raised_on']} = CASE WHEN o.lvl_new > 0 THEN {today_sql} ELSE {first_day} END "
         f"FROM sv_open o WHERE {a} = o.id AND o.lvl = 0 AND o.fate = 'moved'", [at]),
    ]


def _insert(kind: RuleKind, col: dict, alert: str, today_sql: str, at, open_filter: str,
            open_params: list, subjects: list | None = None, look: bool = True) -> tuple[str, list]:
    """The rows of the clocks (``sv_clocks c``; of ``subjects`` only, when given) with no open
    alert: at the level they hold today, raised now; or hidden until their first level's day
    (``raised_on`` that day, no moment yet)."""
    first_day = "COALESCE(c.warning_from, c.yellow_from, c.red_from)"
    lvl = _level_of("c.", today_sql)
    columns = ", ".join(col[n] for n in (
        "kind", "subject_type", "subject_id", "case", "department", "stored_level", "warning_from",
        "yellow_from", "red_from", "first_level", "stored_raised_at", "raised_on", "detail", "notified_level"))
    return (f"INSERT INTO {alert} ({columns}) SELECT %s, %s, c.subject, c.case_id, c.department_id, {lvl}, "
            f"c.warning_from, c.yellow_from, c.red_from, "
            f"CASE WHEN {lvl} > 0 THEN {lvl} ELSE {_level_of('c.', first_day)} END, "
            f"CASE WHEN {lvl} > 0 THEN %s ELSE NULL END, "
            f"CASE WHEN {lvl} > 0 THEN {today_sql} ELSE {first_day} END, %s, 0 "
            f"FROM sv_clocks c WHERE {first_day} IS NOT NULL"
            + (f" AND NOT EXISTS (SELECT 1 FROM {alert} WHERE {open_filter} AND {alert}.{col['subject_id']} = c.subject)"
               if look else "")
            + (" AND c.subject = ANY(%s)" if subjects is not None else "") + " ORDER BY c.subject",
            [kind.key, kind.subject, at, kind.label, *(open_params if look else []),
             *([subjects] if subjects is not None else [])])


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


def _first_judged_sql(date_sql: str) -> str:
    """When the first sweep on or after the day ``date_sql`` ran (``JudgedDay``)."""
    qn = connection.ops.quote_name
    return (f"(SELECT MIN({qn('judged_at')}) FROM {qn(JudgedDay._meta.db_table)} "
            f"WHERE {qn('day')} >= {date_sql})")


def _frozen(col: dict, alert: str) -> tuple[str, str]:
    """What the judged days made of an open alert (``sv_open o``: its level today ``o.lvl``), to
    write down: the SET clause of when it was raised, and the expression of when it last
    escalated — the first sweep of the day its level began, or this sweep if that day is today's
    and not yet recorded. Their parameters: this sweep's moment, once and twice."""
    whens = " ".join(
        f"WHEN o.lvl = {int(level)} AND o.stored < {int(level)} AND {alert}.{col['first_level']} < {int(level)} "
        f"THEN COALESCE({_first_judged_sql(f'{alert}.{col[column]}')}, %s)"
        for level, column in reversed(STARTS) if level > Level.WARNING)
    raised_on = f"{alert}.{col['raised_on']}"
    return (f"{col['stored_raised_at']} = COALESCE({alert}.{col['stored_raised_at']}, {_first_judged_sql(raised_on)}, %s)",
            f"CASE {whens} ELSE {alert}.{col['stored_escalated_at']} END")
