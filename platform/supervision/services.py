"""Supervision's changes: the sweep, log verification, notifications, supervision orders.

Every function is keyword-only and writes only supervision's own tables.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, Value, When
from django.utils import timezone

import workdays
from accounts.identity import phone_problem
from accounts.models import Department
from core.errors import AccessDenied, Conflict, InvalidInput, PlatformError
from rules import compile_to_q

from . import clockrows, dashboard_snapshot, derived_clocks, judgement_marks
from .access import is_supervisor, may_answer_for
from .alert_notices import alerts_notify
from .channels import channels
from .kinds import ITEM_PREFIX, RuleGroup, RuleKind, register_rule_kinds, rule_kinds
from .models import Alert, CaseRating, Complaint, JudgedDay, Level, LogCheck, Notification, Subject, SupervisionOrder
from .partitions import CaseRange, run_partition
from .workday_index import ensure_index

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class KindResult:
    raised: int = 0
    escalated: int = 0
    resolved: int = 0
    # (item versions, reason) of each rule of the kind that could not be judged by
    broken: list[tuple[tuple[int, ...], str]] = field(default_factory=list)


@dataclass(frozen=True)
class SkippedRule:
    """A rule the sweep could not judge by (invalid in the database, or failing in it): its rows
    were left as they were, neither raised nor resolved, and the rest of the sweep went on."""

    kind: str
    label: str
    reason: str
    versions: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.label}（{self.kind}）：{self.reason}"


@dataclass
class SweepResult:
    today: dt.date
    kinds: dict[str, KindResult] = field(default_factory=dict)
    logs_verified: int = 0
    skipped: list[SkippedRule] = field(default_factory=list)
    # what this sweep judged completely (``judgement_marks``): recorded once it is known that no
    # other sweep ran beside it
    marks: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def raised(self) -> int:
        return sum(k.raised for k in self.kinds.values())

    @property
    def escalated(self) -> int:
        return sum(k.escalated for k in self.kinds.values())

    @property
    def resolved(self) -> int:
        return sum(k.resolved for k in self.kinds.values())


def level_queries(kind: RuleKind, today: dt.date, groups: list[RuleGroup] | None = None
                  ) -> tuple[dict[int, Q], list[tuple[RuleGroup, str]]]:
    """Level → one Q over the kind's rows (each group's compiled rule, limited to the group), and
    the groups whose rule does not compile (an invalid rule that reached the database), each with
    the reason: they are left out, and their rows are spared by the caller. ``groups`` (default:
    the kind's own) lets the impact preview judge rows the kind does not hold (closed cases)."""
    out: dict[int, Q] = {}
    broken = []
    for group in kind.groups(today) if groups is None else groups:
        if group.error:
            broken.append((group, group.error))
            continue
        try:
            compiled = {level: compile_to_q(rule, kind.fields, variables=kind.variables, today=today)
                        for level, rule in group.levels.items()}
        except (PlatformError, TypeError, ValueError, KeyError, AttributeError) as exc:
            broken.append((group, getattr(exc, "message", None) or str(exc) or type(exc).__name__))
            continue
        for level, q in compiled.items():
            q = group.where & q
            out[level] = out[level] | q if level in out else q
    return out, broken


def level_expression(levels: dict[int, Q]):
    """The level of a row: ``CASE WHEN`` the highest level's query holds ``THEN`` it … ``ELSE 0``
    (a card's level wins over a lower one)."""
    return When_(*[When(levels[lv], then=Value(int(lv))) for lv in sorted(levels, reverse=True)],
                 default=Value(0), output_field=IntegerField())


def _insert_new(kind: RuleKind, matching, *, now: dt.datetime, today: dt.date) -> int:
    """``INSERT … SELECT`` the alerts for matching rows that have none open; a row raised by a
    concurrent sweep meanwhile is skipped by the unique constraint (``ON CONFLICT DO NOTHING``)."""
    try:
        inner, params = matching.values_list("sv_subject", "sv_case", "sv_department", "sv_level").query.sql_with_params()
    except EmptyResultSet:
        return 0
    qn = connection.ops.quote_name
    columns = ", ".join(qn(Alert._meta.get_field(name).column) for name in (
        "kind", "subject_type", "subject_id", "case", "department", "stored_level", "first_level", "stored_raised_at",
        "raised_on", "detail", "notified_level"))
    sql = (f"INSERT INTO {qn(Alert._meta.db_table)} ({columns}) "
           f"SELECT %s, %s, sub.sv_subject, sub.sv_case, sub.sv_department, sub.sv_level, sub.sv_level, %s, %s, %s, 0 "
           f"FROM ({inner}) sub WHERE 1 = 1 ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind.key, kind.subject, connection.ops.adapt_datetimefield_value(now),
                             connection.ops.adapt_datefield_value(today), kind.label, *params])
        return max(cursor.rowcount, 0)


def judge_kind(kind: RuleKind, *, today: dt.date, now: dt.datetime, cases=None,
               part: CaseRange | None = None) -> KindResult:
    """Raise, escalate and resolve the alerts of one kind, set-based: each step is one statement
    whose rows are selected by the query compiled from the kind's rules; nothing is looped over.
    ``cases`` (ids, or a query of them) limits the judgement to those cases (a rule over stored
    facts, between full sweeps); ``part`` to the rows and alerts of one partition's cases."""
    if kind.derives_levels:
        with transaction.atomic():
            return derived_clocks.judge(kind, today=today, now=now, cases=cases, part=part)
    result = KindResult()
    levels, broken = level_queries(kind, today)
    result.broken = [(getattr(group, "versions", ()), reason) for group, reason in broken]
    if isinstance(cases, (tuple, list, set, frozenset)) and not cases:
        return result
    part = part or CaseRange()
    open_alerts = Alert.rows.filter(kind=kind.key, resolved_at__isnull=True)
    rows = kind.narrow(kind.rows(today), cases=cases, part=part)
    if not part.whole:
        rows = rows.filter(part.q(kind.case_path))
        open_alerts = open_alerts.filter(part.q("case_id"))
    if cases is not None:
        rows = rows.filter(**{f"{kind.case_path}__in": cases})
        open_alerts = open_alerts.filter(case_id__in=cases)
    if broken:  # the rows of a rule that could not be judged keep their alerts as they are
        spared = Q()
        for group, _reason in broken:
            spared |= group.where
        open_alerts = open_alerts.exclude(subject_id__in=rows.filter(spared).values(kind.subject_path))
        rows = rows.exclude(spared)
    if not levels:
        result.resolved = open_alerts.update(resolved_at=now)
        return result
    any_level = Q()
    for i, q in enumerate(levels.values()):
        any_level = q if i == 0 else any_level | q
    level_of = level_expression(levels)
    # Kept: still in scope (clocks) or merely still true (anomalies, whose scope only limits raising).
    kept = rows.filter(any_level & kind.scope()) if kind.is_clock else rows.filter(any_level)
    if kind.is_clock and cases is None and not broken:
        with transaction.atomic():
            return _judge_clock(kind, rows.filter(kind.scope()).annotate(sv_level=level_of), now=now, today=today,
                                part=part)
    matching = rows.filter(kind.scope()).annotate(sv_level=level_of).filter(sv_level__gt=0)
    with transaction.atomic():
        result.resolved = open_alerts.exclude(subject_id__in=kept.values(kind.subject_path)).update(resolved_at=now)
        if kind.is_clock:
            for lv in (Level.YELLOW, Level.RED):
                if lv in levels:
                    result.escalated += open_alerts.filter(
                        stored_level__lt=lv, subject_id__in=matching.filter(sv_level__gte=lv).values(kind.subject_path),
                    ).update(stored_level=lv, stored_escalated_at=now)
        new = (matching.exclude(**{f"{kind.subject_path}__in": open_alerts.values("subject_id")})
               .annotate(sv_subject=F(kind.subject_path), sv_case=F(kind.case_path),
                         sv_department=kind.department_expr()))
        result.raised = _insert_new(kind, new, now=now, today=today)
    return result


# Memory for the sorts and hashes of one clock kind's statement on PostgreSQL (``work_mem``; a hash
# may take twice as much, ``hash_mem_multiplier``): a million clocks and their open alerts.
CLOCK_WORK_MEM = "128MB"


def _judge_clock(kind: RuleKind, judged, *, now: dt.datetime, today: dt.date, part: CaseRange) -> KindResult:
    """A clock kind over all its rows (of the partition ``part``), in the shape of one upsert: the
    judged levels (the compiled query, never stored) are set beside the kind's open alerts by one
    full outer join on the subject, keeping only the rows that change — an open alert whose subject
    no longer has a level (resolved), one whose level rose (escalated), a level with no open alert
    (raised, in subject order so the indexes are appended to). On PostgreSQL the join and the three
    writes are one statement (each write a data-modifying ``WITH`` over the changed rows) and each
    clock is read once; its insert is a plain one, and only if a concurrent sweep raised one of the
    same alerts meanwhile (a unique violation, which undoes the statement) is it run again with
    ``ON CONFLICT DO NOTHING`` (``_raise_once``). On SQLite the
    changed rows (a left join and an anti-join: before 3.39 it has no full outer join) go through a
    temporary table. Either way a repeated sweep writes nothing."""
    result = KindResult()
    qn = connection.ops.quote_name
    col = {name: qn(Alert._meta.get_field(name).column) for name in (
        "id", "kind", "subject_type", "subject_id", "case", "department", "stored_level", "first_level",
        "stored_raised_at", "raised_on", "detail", "notified_level", "stored_escalated_at", "resolved_at")}
    # (a kind judged here writes its levels and moments: what it stored is what pages read)
    col.update(level=col["stored_level"], raised_at=col["stored_raised_at"], escalated_at=col["stored_escalated_at"])
    alert = qn(Alert._meta.db_table)
    try:
        inner, params = (judged.annotate(sv_subject=F(kind.subject_path), sv_case=F(kind.case_path),
                                           sv_department=kind.department_expr())
                         .values_list("sv_subject", "sv_level", "sv_case", "sv_department").query.sql_with_params())
    except EmptyResultSet:  # nothing can hold: a select of no rows, so the open alerts resolve
        inner, params = ("SELECT CAST(NULL AS BIGINT) AS sv_subject, 0 AS sv_level, CAST(NULL AS BIGINT) AS sv_case, "
                         "CAST(NULL AS BIGINT) AS sv_department"), []
    at, on = connection.ops.adapt_datetimefield_value(now), connection.ops.adapt_datefield_value(today)
    in_part, part_params = part.sql(col["case"])
    pg = connection.vendor == "postgresql"
    # The rows that change: (subject, level, case, department, open alert's id, its level).
    judged_sql = f"SELECT * FROM ({inner}) sub WHERE sub.sv_level > 0"
    open_sql = (f"SELECT {col['id']}, {col['subject_id']}, {col['level']} FROM {alert} WHERE {col['kind']} = %s "
                f"AND {col['subject_type']} = %s AND {col['resolved_at']} IS NULL AND {in_part}")
    open_params = [kind.key, kind.subject, *part_params]
    columns_of_change = (f"SELECT j.sv_subject AS subject, j.sv_level AS lvl, j.sv_case AS case_id, "
                         f"j.sv_department AS department_id, o.{col['id']} AS alert_id, o.{col['level']} AS old_lvl ")
    if pg:
        changes = (f"{columns_of_change} FROM ({judged_sql}) j FULL OUTER JOIN ({open_sql}) o "
                   f"ON o.{col['subject_id']} = j.sv_subject "
                   f"WHERE j.sv_subject IS NULL OR o.{col['id']} IS NULL OR o.{col['level']} < j.sv_level")
        changes_params = [*params, *open_params]
    else:  # the same without FULL OUTER JOIN (SQLite before 3.39 has none)
        changes = (f"{columns_of_change} FROM ({judged_sql}) j LEFT JOIN ({open_sql}) o "
                   f"ON o.{col['subject_id']} = j.sv_subject WHERE o.{col['id']} IS NULL OR o.{col['level']} < j.sv_level "
                   f"UNION ALL SELECT NULL, NULL, NULL, NULL, o.{col['id']}, o.{col['level']} FROM ({open_sql}) o "
                   f"WHERE o.{col['subject_id']} NOT IN (SELECT j.sv_subject FROM ({judged_sql}) j)")
        changes_params = [*params, *open_params, *open_params, *params]
    d = "d" if pg else "sv_changes d"  # the changed rows: a WITH query, or a temporary table
    # (the kind and subject type repeat what ``open_sql`` chose: on PostgreSQL the updates then find
    # their alerts among the kind's open ones by its index instead of hashing every open alert)
    target = (f"{alert}.{col['id']} = d.alert_id AND {alert}.{col['resolved_at']} IS NULL "
              f"AND {alert}.{col['kind']} = %s AND {alert}.{col['subject_type']} = %s")
    resolve = (f"UPDATE {alert} SET {col['resolved_at']} = %s FROM {d} WHERE d.subject IS NULL AND {target}",
               [at, kind.key, kind.subject])
    escalate = (f"UPDATE {alert} SET {col['level']} = d.lvl, {col['escalated_at']} = %s FROM {d} "
                f"WHERE d.subject IS NOT NULL AND {target} AND {alert}.{col['level']} < d.lvl",
                [at, kind.key, kind.subject])
    columns = ", ".join(col[n] for n in ("kind", "subject_type", "subject_id", "case", "department", "stored_level",
                                         "first_level", "raised_at", "raised_on", "detail", "notified_level"))

    def raise_(conflicts: str) -> tuple[str, list]:  # (SQLite's parser needs the WHERE before ON CONFLICT)
        return (f"INSERT INTO {alert} ({columns}) SELECT %s, %s, d.subject, d.case_id, d.department_id, d.lvl, "
                f"d.lvl, %s, %s, %s, 0 FROM {d} WHERE d.alert_id IS NULL ORDER BY d.subject{conflicts}",
                [kind.key, kind.subject, at, on, kind.label])

    with connection.cursor() as cursor:
        if pg:
            # the hash joins of a million clocks with their open alerts fit in memory instead of
            # spilling to disk in batches (this transaction only)
            cursor.execute(f"SET LOCAL work_mem = '{CLOCK_WORK_MEM}'")
            cursor.execute(f"SELECT EXISTS ({open_sql})", open_params)
            if not cursor.fetchone()[0]:  # no open alert (a first sweep): the levels go straight in

                def statement(conflicts: str) -> tuple[int, int, int]:
                    insert = raise_(conflicts)
                    cursor.execute(f"WITH d AS (SELECT j.sv_subject AS subject, j.sv_level AS lvl, j.sv_case AS case_id, "
                                   f"j.sv_department AS department_id, NULL AS alert_id FROM ({judged_sql}) j) {insert[0]}",
                                   [*params, *insert[1]])
                    return 0, 0, max(cursor.rowcount, 0)

                result.resolved, result.escalated, result.raised = _raise_once(statement)
                return result

            def statement(conflicts: str) -> tuple[int, int, int]:
                insert = raise_(conflicts)
                cursor.execute(
                    f"WITH d AS MATERIALIZED ({changes}), r AS ({resolve[0]} RETURNING 1), "
                    f"e AS ({escalate[0]} RETURNING 1), n AS ({insert[0]} RETURNING 1) "
                    f"SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM e), (SELECT count(*) FROM n)",
                    [*changes_params, *resolve[1], *escalate[1], *insert[1]])
                return cursor.fetchone()

            result.resolved, result.escalated, result.raised = _raise_once(statement)
            return result
        cursor.execute("DROP TABLE IF EXISTS sv_changes")
        cursor.execute(f"CREATE TEMPORARY TABLE sv_changes AS {changes}", changes_params)
        try:
            counts = []
            for sql, sql_params in (resolve, escalate, raise_(" ON CONFLICT DO NOTHING")):
                cursor.execute(sql, sql_params)
                counts.append(max(cursor.rowcount, 0))
            result.resolved, result.escalated, result.raised = counts
        finally:
            cursor.execute("DROP TABLE IF EXISTS sv_changes")
    return result


def _raise_once(statement: Callable[[str], tuple[int, int, int]]) -> tuple[int, int, int]:
    """Run a clock kind's statement (``statement(conflicts)``, ``conflicts`` the insert's conflict
    clause) with a plain insert, and again with ``ON CONFLICT DO NOTHING`` only if a concurrent
    sweep raised one of its alerts first (the one-open-alert constraint refuses the row, and the
    statement, in its savepoint, is undone whole). The statement has just left out every subject
    with an open alert, so a conflict is rare; but on PostgreSQL ``ON CONFLICT`` makes every row a
    speculative insert (a probe of the unique index before the row is written and a record
    confirming it after): at half a million alerts a third of the insert's time (the same 500,000
    alerts into the same table, fsync on, twice each: 5.3–5.9 s with the clause, 3.4–3.6 s without)."""
    try:
        with transaction.atomic():
            return statement("")
    except IntegrityError:
        return statement(" ON CONFLICT DO NOTHING")


# Each case's log is verified again at least this often, closed cases included, at most
# REVERIFY_PER_RUN per sweep (a 15-minute sweep: 192,000 cases a day).
REVERIFY_AFTER = dt.timedelta(days=7)
REVERIFY_PER_RUN = 2000


def logs_verify(*, all_logs: bool = False, now: dt.datetime | None = None, cases=None,
                part: CaseRange | None = None) -> int:
    """Verify the hash chain of every open case whose log changed since its last check, and of the
    cases (open or closed) not verified for ``REVERIFY_AFTER`` (at most ``REVERIFY_PER_RUN``), or of
    every case with ``all_logs``; ``cases`` (ids, or a query of them) limits the changed ones looked
    at, ``part`` every one; record the result in ``LogCheck``. Returns how many."""
    from runtime.caselog import verify_case_log
    from runtime.models import Case

    now = now or timezone.now()
    cases_only = cases
    logged = Case.objects.filter(log_length__gt=0)
    if part is not None and not part.whole:
        logged = logged.filter(part.q("pk"))
    cases = logged
    if cases_only is not None:
        cases = cases.filter(pk__in=cases_only)
    if not all_logs:
        changed = cases.filter(state__in=["received", "correcting", "in_progress", "suspended"]).exclude(
            supervision_log_check__log_length=F("log_length"),
            supervision_log_check__log_head=F("log_head"))
        # Every case, closed ones too, again at least every REVERIFY_DAYS: an entry edited in place
        # changes neither length nor head. A bounded batch per run, the longest unchecked first.
        stale = list(logged.filter(Q(supervision_log_check__isnull=True)
                                   | Q(supervision_log_check__checked_at__lt=now - REVERIFY_AFTER))
                     .order_by(F("supervision_log_check__checked_at").asc(nulls_first=True))
                     .values_list("pk", flat=True)[:REVERIFY_PER_RUN])
        # read one after the other, not as one query ORing the two: that read every case again
        batches = [changed, logged.filter(pk__in=stale)]
    else:
        batches = [cases]
    count, seen = 0, set()
    # (in no order: the cases' default order made the cursor walk the newest-first index through
    # every case, a fast start that reads the whole table at random)
    for case in chain.from_iterable(batch.only("pk", "number", "log_length", "log_head").order_by()
                                    .iterator(chunk_size=500) for batch in batches):
        if case.pk in seen:  # changed and stale both
            continue
        seen.add(case.pk)
        check = verify_case_log(case)
        LogCheck.objects.update_or_create(case=case, defaults={
            "log_length": case.log_length, "log_head": case.log_head, "ok": check.ok,
            "problems": check.problems[:20], "checked_at": now})
        count += 1
    return count


def sweep(*, today: dt.date | None = None, kinds: list[str] | None = None, verify_logs: bool = True,
          all_logs: bool = False, full: bool = False, notify: bool = True,
          progress: Callable[[str], None] | None = None) -> SweepResult:
    """Judge every open case, task, special procedure and order against the supervision rules.

    Clock rules are judged on every running clock each time, except on a repeated sweep of the
    same working day under the same rules: the clocks read in place from the runtime's rows are
    then judged on the changed cases only (``judgement_marks``). Rules over stored facts only (and
    the log chains) are judged on the cases changed since the last sweep, and on all with ``full``
    (the daily full sweep, the first sweep, or after the calendar changed)."""
    now = timezone.now()
    say = _progress(progress)
    changes = sweep_prepare(now=now, full=full, say=say)
    only = None if changes.full or len(changes) > 5000 else changes.case_ids
    result, alone = run_partition(lambda: _judge_all(
        today=today, now=now, kinds=kinds, verify_logs=verify_logs, all_logs=all_logs, only=only, part=CaseRange(),
        notify=notify, say=say, changes=changes, threads=settings.SUPERVISION_SWEEP_THREADS))
    if alone:  # (a sweep beside it may have written by another day's or rules' judgement)
        judgement_marks.record(result.marks, changes)
    return result


def sweep_prepare(*, now: dt.datetime | None = None, full: bool = False,
                  say: Callable[[str], None] | None = None) -> clockrows.Changes:
    """The working-day index and the clock rows brought up to date, once for all partitions."""
    say = say or (lambda _msg: None)
    register_rule_kinds()
    if ensure_index():
        say("工作日序号表已按当前工作日历重建")
    changes = clockrows.sync(now=now or timezone.now(), full=full)
    say("时钟同步：全部重建" if changes.full else f"时钟同步：{len(changes)} 件办件有变化")
    return changes


def sweep_partition(*, part: CaseRange, changed_since: dt.datetime | None, today: dt.date | None = None,
                    verify_logs: bool = True, notify: bool = True,
                    progress: Callable[[str], None] | None = None) -> SweepResult:
    """Judge the rows and alerts of one partition's cases (``sweep_prepare`` has run): clock rules
    on every running clock, stored-fact rules and log chains on the cases changed since
    ``changed_since`` (on all without it: the first or a full sweep). Partitions are disjoint and
    every step is idempotent (an alert is raised under the one open alert per subject: with
    ``ON CONFLICT DO NOTHING``, or for a clock kind plainly and, refused by it, again with the
    clause), so partitions run at once, and a partition retried after its worker died mid-sweep,
    neither lose nor repeat an alert."""
    from runtime.models import Case

    now = timezone.now()
    register_rule_kinds()
    only = None
    if changed_since is not None:
        only = Case.objects.filter(part.q("pk"), updated_at__gte=changed_since).values("pk")
    say = _progress(progress)
    result, last = run_partition(lambda: _judge_all(
        today=today, now=now, kinds=None, verify_logs=verify_logs, all_logs=False, only=only, part=part,
        notify=notify, say=say, snapshot=False))
    if last:  # the dashboard's figures of the whole, counted by the partition that ends last
        dashboard_snapshot.refresh(now=now, today=result.today)
        say("监察大屏统计已更新")
    return result


def _progress(progress: Callable[[str], None] | None) -> Callable[[str], None]:
    started = time.perf_counter()
    out = progress or (lambda _msg: None)

    def say(message: str) -> None:
        out(f"[{time.perf_counter() - started:6.2f}s] {message}")

    return say


# Alerts raised or resolved by one sweep beyond which (and beyond a tenth of the table) it refreshes
# the table's statistics itself.
ANALYZE_AFTER = 10_000
ANALYZE_SHARE = 0.1


def _judge_all(*, today: dt.date | None, now: dt.datetime, kinds: list[str] | None, verify_logs: bool,
               all_logs: bool, only, part: CaseRange, notify: bool, say: Callable[[str], None],
               snapshot: bool = True, changes: clockrows.Changes | None = None, threads: int = 1) -> SweepResult:
    """Judge every kind (``kinds``: only those) over ``part``; ``only``: the changed cases, which
    the rules over stored facts are judged on. With ``changes`` (a whole sweep's sync) the clocks
    read in place are judged on ``only`` too when their last complete judgement covers all else
    (``judgement_marks``), and their marks are recorded. Up to ``threads`` kinds are judged side
    by side (``_run_side_by_side``)."""
    today = today or timezone.localdate(now)
    result = SweepResult(today=today)
    if verify_logs:
        result.logs_verified = logs_verify(all_logs=all_logs, now=now, cases=None if all_logs else only, part=part)
        say(f"日志哈希链核验：{result.logs_verified} 件")
    tasks = [partial(_judge_registered, key, registered, today=today, now=now, only=only, part=part,
                     changes=changes, say=say)
             for key, registered in rule_kinds.items() if not kinds or key in kinds]
    for judged in _run_side_by_side(tasks, threads):  # (merged in the registry's order)
        result.kinds.update(judged.kinds)
        result.skipped.extend(judged.skipped)
        result.marks.update(judged.marks)
    # the day whose starting levels pages count from now on (decision 007; a sweep of some kinds
    # too: those levels need no judging)
    JudgedDay.record(today, now)
    if connection.vendor == "postgresql" and result.raised + result.resolved > ANALYZE_AFTER:
        # the next sweep plans its joins with the alerts' real number (autovacuum may take minutes),
        # when the sweep changed a tenth of them (autovacuum's own rule; a day's new alerts at a
        # million do not change a plan, and reading a sample of the table takes a third of a second)
        table = connection.ops.quote_name(Alert._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Alert._meta.db_table])
            known = (cursor.fetchone() or [0])[0]
            if result.raised + result.resolved > ANALYZE_SHARE * max(known, 0):
                cursor.execute(f"ANALYZE {table}")
    definitions_changed = 0
    if not kinds and part.takes_caseless:  # item-wide alerts: judged by the partition of no case
        definitions_changed = definitions_alert(skipped=result.skipped, now=now, today=today)
    if not kinds and snapshot:  # the dashboard's figures as this sweep left them
        if result.raised + result.escalated + result.resolved + definitions_changed == 0 \
                and _figures_unchanged(changes, today):
            dashboard_snapshot.confirm(now=now)
            say("监察大屏统计无变化，未重新统计")
        else:
            dashboard_snapshot.refresh(now=now, today=today)
            say("监察大屏统计已更新")
    for skipped in result.skipped:
        say(f"已跳过的规则：{skipped}")
    if notify:
        sent = alerts_notify(now=now)
        say(f"通知：{sent} 条")
    return result


def _run_side_by_side(tasks: list[Callable[[], T]], threads: int) -> list[T]:
    """The results of ``tasks``, in their order. On PostgreSQL, outside any transaction, up to
    ``threads`` run at once, each thread on a connection of its own: each kind is its own
    transaction and writes only its own alerts (the log chains, which one kind reads, are
    verified before), so kinds judged side by side leave what one after the other would; the
    database works on a kind's statement while the next kind's runs on another core. Elsewhere
    (SQLite writes one at a time; inside a transaction, another connection would not see its
    rows) they run one after the other."""
    if threads <= 1 or len(tasks) <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [task() for task in tasks]

    def run(task: Callable[[], T]) -> T:
        try:
            return task()
        finally:
            connections.close_all()  # (this thread's connections only)

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sweep")
    try:
        return list(pool.map(run, tasks))
    finally:  # (a kind that raised: the kinds not begun are not begun)
        pool.shutdown(wait=True, cancel_futures=True)


def _judge_registered(key: str, registered: RuleKind, *, today: dt.date, now: dt.datetime, only, part: CaseRange,
                      changes: clockrows.Changes | None, say: Callable[[str], None]) -> SweepResult:
    """Judge one registered kind (every kind it expands to) over ``part``, as ``_judge_all`` says;
    returns what it did as a ``SweepResult`` of its own (``kinds``, ``skipped``, ``marks``)."""
    result = SweepResult(today=today)
    marks = result.marks  # kind → fingerprint of its complete judgement (judgement_marks)
    try:
        expanded = registered.expand()
    except Exception as exc:  # a definition the kind cannot read: skip the kind, go on
        log.exception("监察规则种类 %s 无法展开", key)
        result.skipped.append(SkippedRule(key, registered.label, f"规则无法读取：{exc}"))
        say(f"{registered.label}：规则无法读取，已跳过")
        return result
    for kind in expanded:
        cases = None if kind.time_dependent else only
        mark = None
        if changes is not None and kind.follows_case_changes:
            mark = judgement_marks.fingerprint(kind, today)
            if only is not None and judgement_marks.covers(kind.key, mark, changes):
                cases = only
        try:
            with transaction.atomic():  # a rule failing in the database spoils only its own savepoint
                done = judge_kind(kind, today=today, now=now, cases=cases, part=part)
        except Exception as exc:
            log.exception("监察规则 %s 判定失败", kind.key)
            result.skipped.append(SkippedRule(kind.key, kind.label, f"判定失败：{exc}"))
            say(f"{kind.label}：判定失败，已跳过")
            continue
        result.kinds[kind.key] = done
        if mark and not done.broken:
            marks[kind.key] = mark
        for versions, reason in done.broken:
            result.skipped.append(SkippedRule(kind.key, kind.label, reason, tuple(versions)))
        say(f"{kind.label}：新增 {done.raised}，升级 {done.escalated}，解除 {done.resolved}"
            + (f"，{len(done.broken)} 条规则有误已跳过" if done.broken else "")
            + (f"（仅判定有变化的 {len(cases)} 件办件）" if kind.time_dependent and cases is not None else ""))
    if expanded != [registered]:  # rules no item declares any more cannot hold: their alerts end
        # (a scan of the open alerts: spared when the last whole sweep, right before, had the
        # same rules and ended the others)
        declared = judgement_marks.of_keys(sorted(k.key for k in expanded))
        if not judgement_marks.covers(key, declared, changes):
            gone = (Alert.rows.filter(part.q("case_id"), kind__startswith=f"{ITEM_PREFIX}",
                                      resolved_at__isnull=True)
                    .exclude(kind__in=[k.key for k in expanded]).update(resolved_at=now))
            if gone:
                result.kinds[key] = KindResult(resolved=gone)
        if changes is not None and all(k.key in result.kinds for k in expanded):
            marks[key] = declared
    return result


RULE_INVALID = "rule_invalid"  # the kind of the alerts about a definition's rule the sweep skipped


def definitions_alert(*, skipped: list[SkippedRule], now: dt.datetime, today: dt.date) -> int:
    """One open alert per item version whose rule the sweep had to skip (to its department and
    the efficiency office), kept while the rule stays broken and resolved by the first full sweep
    that judges by it again. Returns how many alerts it raised or resolved."""
    from designer.models import ItemVersion

    reasons: dict[int, list[str]] = defaultdict(list)
    for rule in skipped:
        for version in rule.versions:
            reasons[version].append(f"{rule.label}：{rule.reason}")
    open_alerts = Alert.objects.filter(kind=RULE_INVALID, resolved_at__isnull=True)
    resolved = open_alerts.exclude(subject_id__in=list(reasons)).update(resolved_at=now)
    already = set(open_alerts.values_list("subject_id", flat=True))
    new = []
    for version in ItemVersion.objects.filter(pk__in=set(reasons) - already).select_related("item"):
        detail = f"事项“{version.item.name}”第{version.number}版的监察规则有误，巡查已跳过：{'；'.join(reasons[version.pk])}"
        new.append(Alert(kind=RULE_INVALID, subject_type=Subject.ITEM_VERSION, subject_id=version.pk,
                         department_id=version.item.department_id, level=Level.ANOMALY, first_level=Level.ANOMALY,
                         raised_at=now, raised_on=today, detail=detail[:300]))
    Alert.objects.bulk_create(new, ignore_conflicts=True)
    return resolved + len(new)


def _figures_unchanged(changes: clockrows.Changes | None, today: dt.date) -> bool:
    """Whether the dashboard's figures stand as the last snapshot counted them, so a sweep that
    changed no alert need not count them again: the snapshot is of today and was taken by the
    sweep of the previous sync, no case changed since that sync (every figure of cases reads
    them), and none of what changes alerts or figures outside the sweep did either (an order
    replied to, a complaint answered, a case pushed by a department's own system)."""
    from .models import ExternalCase

    if changes is None or changes.full or len(changes) or changes.previous is None:
        return False
    taken = dashboard_snapshot.DashboardSnapshot.objects.filter(pk=dashboard_snapshot.ONE).values_list(
        "taken_at", "on").first()
    if taken is None or taken[1] != today or taken[0] < changes.previous:
        return False
    since = taken[0] - clockrows.MARGIN
    return not (SupervisionOrder.objects.filter(Q(issued_at__gte=since) | Q(replied_at__gte=since)).exists()
                or Complaint.objects.filter(answered_at__gte=since).exists()
                or ExternalCase.objects.filter(updated_at__gte=since).exists())


# --- notifications ---------------------------------------------------------------------------

def notifications_send(*, ids: list[int] | None = None) -> int:
    """Hand unsent notices to every configured channel. Channels are independent: one that fails
    (logged, its error kept on the notice) does not stop the others, and only the channels that
    have not delivered a notice yet are tried again (the task's retries, then the next sweep).
    Returns the notices now delivered by every channel."""
    from .channels import configured

    names = configured()
    pending = Notification.objects.filter(sent=False)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    return sum(_notification_deliver(pk, names) for pk in list(pending.order_by("pk").values_list("pk", flat=True)[:5000]))


@transaction.atomic
def _notification_deliver(pk: int, names: list[str]) -> bool:
    """One notice through the channels that have not delivered it, recorded at once. The row is
    locked while it is sent: a second run at the same time (a task handed out again after its
    worker died, the next sweep's) skips it instead of sending it twice."""
    notice = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
              .select_related("alert", "alert__case", "recipient").filter(pk=pk, sent=False).first())
    if notice is None:
        return False
    done = set(filter(None, notice.sent_via.split(",")))
    errors = []
    for name in names:
        if name in done:
            continue
        try:
            channels.get(name).send(notice)
        except Exception as exc:  # any failure of a channel's transport; the others still run
            log.exception("告警通知 %s 经%s发送失败", notice.pk, name)
            errors.append(f"{name}：{exc}")
        else:
            done.add(name)
    notice.sent_via = ",".join(n for n in names if n in done)
    notice.last_error = "；".join(errors)[:300]
    notice.sent = not errors
    notice.attempts += 1
    notice.sent_at = timezone.now() if notice.sent else None
    notice.save(update_fields=["sent", "sent_via", "last_error", "attempts", "sent_at"])
    return notice.sent


def notification_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise AccessDenied("只能标记自己的通知")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- numbers (编号) ---------------------------------------------------------------------------

def _next_number(model, prefix: str) -> str:
    """``<prefix>NNNN``, allocated by the runtime's sequence (one locked row per prefix, so
    concurrent filings never collide); the sequence is keyed ``supervision:<prefix>`` so it can
    never share a row with a case number's prefix, and a new one starts after the numbers already
    stored under the prefix."""
    from runtime.engine import next_number

    def used() -> int:
        last = (model.objects.filter(number__startswith=prefix).order_by("-number")
                .values_list("number", flat=True).first())
        return int(last.rsplit("-", 1)[1]) if last else 0

    return f"{prefix}{next_number(f'supervision:{prefix}', used=used):04d}"


def _next_order_number(today: dt.date) -> str:
    return _next_number(SupervisionOrder, f"DB-{today:%Y%m%d}-")


# --- supervision orders (督办) -----------------------------------------------------------------



@transaction.atomic
def order_issue(*, actor, case, instruction: str, limit_days: int, department: Department | None = None
                ) -> SupervisionOrder:
    """A supervisor orders the case's department (or another unit) to act within a limit."""
    if not is_supervisor(actor):
        raise AccessDenied("只有效能办监察员可以督办")
    instruction = (instruction or "").strip()
    problems = {}
    if not instruction:
        problems["instruction"] = ["请填写督办要求"]
    if not isinstance(limit_days, int) or not 1 <= limit_days <= 30:
        problems["limit_days"] = ["督办时限为1至30个工作日"]
    if problems:
        raise InvalidInput("督办单填写有误", details=problems)
    now = timezone.now()
    today = timezone.localdate(now)
    due = workdays.add_working_days(today, limit_days)
    return SupervisionOrder.objects.create(
        number=_next_order_number(today), case=case, department=department or case.department,
        instruction=instruction, limit_days=limit_days, issued_by=actor, issued_at=now, issued_on=today,
        due_on=due.value, due_provisional=due.provisional)


@transaction.atomic
def order_reply(*, actor, order: SupervisionOrder, reply: str) -> SupervisionOrder:
    """The ordered department replies; the order closes and its clock alerts resolve."""
    order = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    if not may_answer_for(actor, order.department_id):
        raise AccessDenied("只有被督办单位的承办人、科室负责人或分管领导可以回复")
    if order.state != SupervisionOrder.State.OPEN:
        raise Conflict(f"督办单{order.number}已回复，无需重复回复")
    reply = (reply or "").strip()
    if not reply:
        raise InvalidInput("请填写回复", details={"reply": ["请填写回复"]})
    order.state = SupervisionOrder.State.REPLIED
    order.reply, order.replied_by, order.replied_at = reply, actor, timezone.now()
    order.save(update_fields=["state", "reply", "replied_by", "replied_at"])
    Alert.rows.filter(kind="order_clock", subject_id=order.pk, resolved_at__isnull=True).update(
        resolved_at=order.replied_at)
    return order


# --- complaints (投诉) -------------------------------------------------------------------------



@transaction.atomic
def complaint_file(*, actor, content: str, contact_name: str, contact_phone: str, case=None,
                   department: Department | None = None) -> Complaint:
    """Anyone files a complaint about a case (theirs, if they are an applicant) or a department;
    without an account the contact details are how the answer reaches them."""
    from accounts.access import is_applicant

    problems = {}
    content, contact_name, contact_phone = (x.strip() for x in (content or "", contact_name or "", contact_phone or ""))
    if len(content) < 5:
        problems["content"] = ["请写明投诉的事实和诉求（至少5个字）"]
    if not contact_name:
        problems["contact_name"] = ["请填写联系人"]
    if phone_problem(contact_phone):
        problems["contact_phone"] = ["请填写有效的联系电话：11位手机号码，或带区号的固定电话（如 0571-86001201）"]
    if case is not None and is_applicant(actor) and case.applicant.user_id != actor.pk:
        problems["case"] = ["只能投诉本人的办件"]
    if problems:
        raise InvalidInput("投诉填写有误", details=problems)
    now = timezone.now()
    return Complaint.objects.create(
        number=_next_number(Complaint, f"TS-{timezone.localdate(now):%Y%m%d}-"), case=case,
        department=department or (case.department if case is not None else None),
        complainant=actor if getattr(actor, "is_authenticated", False) else None, contact_name=contact_name,
        contact_phone=contact_phone, content=content, filed_at=now)


@transaction.atomic
def complaint_assign(*, actor, complaint: Complaint, department: Department, limit_days: int) -> Complaint:
    """The efficiency office assigns a filed complaint to a department with an answer limit."""
    if not is_supervisor(actor):
        raise AccessDenied("只有效能办监察员可以分派投诉")
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.state != Complaint.State.FILED:
        raise Conflict(f"投诉{complaint.number}已分派，无需重复分派")
    if not isinstance(limit_days, int) or not 1 <= limit_days <= 30:
        raise InvalidInput("答复时限为1至30个工作日", details={"limit_days": ["答复时限为1至30个工作日"]})
    now = timezone.now()
    due = workdays.add_working_days(timezone.localdate(now), limit_days)
    complaint.department, complaint.limit_days, complaint.due_on = department, limit_days, due.value
    complaint.assigned_by, complaint.assigned_at, complaint.state = actor, now, Complaint.State.ASSIGNED
    complaint.save()
    return complaint


@transaction.atomic
def complaint_answer(*, actor, complaint: Complaint, answer: str) -> Complaint:
    """The assigned department answers; the complaint's clock alerts resolve."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not may_answer_for(actor, complaint.department_id):
        raise AccessDenied("只有被分派单位的承办人、科室负责人或分管领导可以答复")
    if complaint.state != Complaint.State.ASSIGNED:
        raise Conflict(f"投诉{complaint.number}当前{complaint.get_state_display()}，不能答复")
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput("请填写答复", details={"answer": ["请填写答复"]})
    complaint.answer, complaint.answered_by, complaint.answered_at = answer, actor, timezone.now()
    complaint.state = Complaint.State.ANSWERED
    complaint.save()
    Alert.rows.filter(kind="complaint_clock", subject_id=complaint.pk, resolved_at__isnull=True).update(
        resolved_at=complaint.answered_at)
    return complaint


@transaction.atomic
def complaint_rate(*, actor, complaint: Complaint, rating: int, note: str = "") -> Complaint:
    """The complainant rates the answer (1 very dissatisfied … 5 very satisfied), once."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.complainant_id is None or complaint.complainant_id != getattr(actor, "pk", None):
        raise AccessDenied("只有投诉人可以评价答复")
    if complaint.kind == Complaint.Kind.CONSULTATION:
        raise Conflict("咨询的答复不作评价")
    if complaint.state != Complaint.State.ANSWERED:
        raise Conflict(f"投诉{complaint.number}当前{complaint.get_state_display()}，不能评价")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput("请选择评价", details={"rating": ["评价为1至5"]})
    complaint.rating, complaint.rating_note, complaint.rated_at = rating, (note or "").strip()[:300], timezone.now()
    complaint.state = Complaint.State.RATED
    complaint.save()
    return complaint


@transaction.atomic
def complaint_conclude(*, actor, complaint: Complaint, finding: str, reasons: str) -> Complaint:
    """The efficiency office closes a complaint the department has answered with its finding
    (成立 / 部分成立 / 不成立) and the reasons, which the complainant sees; made once."""
    if not is_supervisor(actor):
        raise AccessDenied("只有效能办监察员可以作出投诉认定")
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.kind != Complaint.Kind.COMPLAINT:
        raise Conflict(f"{complaint.get_kind_display()}{complaint.number}不作成立与否的认定")
    if complaint.finding:
        raise Conflict(f"投诉{complaint.number}已认定为{complaint.get_finding_display()}，不能重复认定")
    if complaint.state not in (Complaint.State.ANSWERED, Complaint.State.RATED):
        raise Conflict(f"投诉{complaint.number}当前{complaint.get_state_display()}，须被投诉单位答复后再认定")
    problems = {}
    if finding not in Complaint.Finding.values:
        problems["finding"] = ["请选择认定结论：成立、部分成立或不成立"]
    reasons = (reasons or "").strip()
    if len(reasons) < 5:
        problems["finding_reasons"] = ["请写明认定理由（至少5个字）"]
    if problems:
        raise InvalidInput("投诉认定填写有误", details=problems)
    complaint.finding, complaint.finding_reasons = finding, reasons
    complaint.found_by, complaint.found_at = actor, timezone.now()
    complaint.save(update_fields=["finding", "finding_reasons", "found_by", "found_at"])
    return complaint


# --- ratings of completed cases (好差评) --------------------------------------------------------

RECTIFICATION_LIMIT_DAYS = 5
POOR_GRADES = (1, 2)


@transaction.atomic
def case_rate(*, actor, case, grade: int, comment: str = "") -> CaseRating:
    """The applicant rates their completed case once; a poor grade opens a rectification task for
    the case's department with a limit of ``RECTIFICATION_LIMIT_DAYS`` working days."""
    from runtime.models import Case

    case = Case.objects.select_for_update().select_related("applicant", "department").get(pk=case.pk)
    if case.applicant.user_id is None or case.applicant.user_id != getattr(actor, "pk", None):
        raise AccessDenied("只有申请人可以评价自己的办件")
    if case.state not in ("completed", "delivered"):
        raise Conflict("办结后才能评价")
    if CaseRating.objects.filter(case=case).exists():
        raise Conflict(f"办件{case.number}已评价，不能重复评价")
    if not isinstance(grade, int) or not 1 <= grade <= 5:
        raise InvalidInput("请选择评价", details={"grade": ["评价为1至5"]})
    comment = (comment or "").strip()[:500]
    if grade in POOR_GRADES and not comment:
        raise InvalidInput("差评请写明不满意的原因", details={"comment": ["差评请写明不满意的原因"]})
    now = timezone.now()
    rectification = None
    if grade in POOR_GRADES:
        due = workdays.add_working_days(timezone.localdate(now), RECTIFICATION_LIMIT_DAYS)
        rectification = Complaint.objects.create(
            number=_next_number(Complaint, f"ZG-{timezone.localdate(now):%Y%m%d}-"), kind=Complaint.Kind.RECTIFICATION,
            case=case, department=case.department, complainant=actor, contact_name=case.applicant.name,
            contact_phone=getattr(case.applicant, "phone", "") or "—", content=f"差评（{CaseRating.GRADES[grade]}）：{comment}",
            filed_at=now, state=Complaint.State.ASSIGNED, assigned_at=now, limit_days=RECTIFICATION_LIMIT_DAYS,
            due_on=due.value)
    return CaseRating.objects.create(case=case, grade=grade, comment=comment, rated_by=actor, rated_at=now,
                                     rectification=rectification)


# --- consultations (咨询) ----------------------------------------------------------------------

CONSULTATION_LIMIT_DAYS = 5


@transaction.atomic
def consultation_ask(*, actor, item, question: str, contact_name: str, contact_phone: str) -> Complaint:
    """Anyone asks about a published item; the item's department answers within
    ``CONSULTATION_LIMIT_DAYS`` working days (its clock and alerts as for complaints). Only items of
    the public catalogue: a confidential item is never named to the public."""
    from designer.selectors import public_catalogue

    if not public_catalogue().filter(pk=item.pk).exists():
        raise InvalidInput("该事项不在网上公开的事项目录中，请到窗口咨询", details={"item": ["没有这个公开事项"]})
    problems = {}
    question, contact_name, contact_phone = (x.strip() for x in (question or "", contact_name or "", contact_phone or ""))
    if len(question) < 5:
        problems["question"] = ["请写明要咨询的问题（至少5个字）"]
    if not contact_name:
        problems["contact_name"] = ["请填写联系人"]
    if phone_problem(contact_phone):
        problems["contact_phone"] = ["请填写有效的联系电话：11位手机号码，或带区号的固定电话（如 0571-86001201）"]
    if problems:
        raise InvalidInput("咨询填写有误", details=problems)
    now = timezone.now()
    due = workdays.add_working_days(timezone.localdate(now), CONSULTATION_LIMIT_DAYS)
    return Complaint.objects.create(
        number=_next_number(Complaint, f"ZX-{timezone.localdate(now):%Y%m%d}-"), kind=Complaint.Kind.CONSULTATION,
        item=item, department=item.department, complainant=actor if getattr(actor, "is_authenticated", False) else None,
        contact_name=contact_name, contact_phone=contact_phone, content=question, filed_at=now,
        state=Complaint.State.ASSIGNED, assigned_at=now, limit_days=CONSULTATION_LIMIT_DAYS, due_on=due.value)
