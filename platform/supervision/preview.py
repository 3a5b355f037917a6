"""Impact preview (影响预览): what a drafted change of the supervision rules or of an item's limits
would do, before it is published (docs/supervision.md, "影响预览").

* **Open cases today**: the case clocks are judged by the rules in force and by the drafted ones
  in one query — the sweep's own compiled level queries (``services.level_queries``,
  ``level_expression``) over the sweep's clock rows, the drafted rules passed to the case-clock
  kinds as a ``RuleSource`` — and each level is set against the case's open alert, as the sweep
  would: raised, escalated, resolved, by level and department.
* **A past period**: each case completed in it is judged on the day it was completed (the last and
  so the highest level its clock reached: the levels only rise while a clock runs), by both rules,
  against the highest case-clock card it was actually given; by month of completion.

It writes nothing: the clock rows are brought up to date as the sweep would, then everything is
read, and the transaction is rolled back (``tests/supervision/test_preview.py`` compares every
table before and after).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.errors import AccessDenied, InvalidInput

from .access import is_supervisor
from .kinds import CaseClock, ExternalCaseClock, ItemAnomalies, ItemAnomaly, VersionGroup
from .models import Alert, Level, WorkdayOrdinal
from .rule_sources import LimitShift, RuleSource
from .services import level_expression, level_queries, sweep_prepare

# The kinds whose rules a change of the rule set or of the limits touches.
PREVIEWED_KINDS = (CaseClock, ExternalCaseClock)
CARD_LEVELS = (Level.WARNING, Level.YELLOW, Level.RED)
ACTIONS = {"raised": "新增", "escalated": "升级", "resolved": "解除", "open": "巡查后在办告警"}
LIST_LIMIT = 200  # cases listed by name on the page (the counts cover every case)


def may_preview(user) -> bool:
    """The efficiency office, which watches the alerts, and the legal office, which publishes."""
    from designer.access import can_review

    return getattr(user, "is_authenticated", False) and (is_supervisor(user) or can_review(user))


def require_previewer(user) -> None:
    if not may_preview(user):
        raise AccessDenied("只有效能办监察员或法制办审核员可以查看影响预览")


# --- the change ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """A drafted change: its description and the rules and limits it would put in force."""

    title: str
    source: RuleSource
    item: object | None = None
    notes: tuple[str, ...] = ()


def change_of_defaults(rules: dict) -> Change:
    """New district defaults (validated as their publication would validate them)."""
    from designer import rulesets
    from designer.defaults import DEFAULT_SUPERVISION
    from designer.validation import ruleset_problems, structural_problems

    rules = rulesets.upgrade(rules)
    problems = structural_problems("ruleset", rules)
    for key in DEFAULT_SUPERVISION:
        if key not in rules:
            problems.add(f"$.{key}", "全区默认规则须包含此项")
    if not problems:
        problems.update(ruleset_problems(rules, "$"))
    problems.raise_if_any("监察规则")
    return Change("全区默认监察规则的修改", RuleSource(district=rules))


def change_of_item(item) -> Change:
    """The item's working copy against its version in service: its rule set and its limits."""
    doc = item.definition
    current = item.current_version
    if current is None:
        raise InvalidInput("该事项尚未发布，没有在办件可供预览", details={"item": ["尚未发布"]})
    old = current.document
    rules_changed = doc["supervision"] != old["supervision"]
    shift = LimitShift(item.pk, doc["promised_limit_days"] - old["promised_limit_days"],
                       doc["statutory_limit_days"] - old["statutory_limit_days"])
    if not rules_changed and not shift:
        raise InvalidInput("工作副本的监察规则和办理时限与现行版本相同，没有可预览的修改", details={"item": ["没有修改"]})
    parts = []
    if rules_changed:
        parts.append("监察规则")
    if shift.promised:
        parts.append(f"承诺时限 {old['promised_limit_days']} → {doc['promised_limit_days']} 个工作日")
    if shift.statutory:
        parts.append(f"法定时限 {old['statutory_limit_days']} → {doc['statutory_limit_days']} 个工作日")
    notes = ("在办件按受理时的版本办理：发布后新规则只用于新申请的办件（外部系统推送的办件按事项现行版本，发布后即适用）。"
             "这里把新规则用于本事项今天的在办件，看它对同样的工作量会怎样。",)
    return Change(f"事项“{item.name}”的{'、'.join(parts)}修改",
                  RuleSource(item_id=item.pk, item_rules=doc["supervision"] if rules_changed else None, shift=shift),
                  item=item, notes=notes)


# --- what it would do ------------------------------------------------------------------------

@dataclass
class Tally:
    """Counts by (action, level) in all and per department."""

    total: Counter = field(default_factory=Counter)
    by_department: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, department: int, action: str, level: int, n: int) -> None:
        self.total[(action, level)] += n
        self.by_department[department][(action, level)] += n


@dataclass(frozen=True)
class AlertChange:
    """One subject the drafted rules would treat otherwise than the rules in force."""

    kind: str
    subject_id: int
    case_id: int | None
    department_id: int
    open_level: int  # its open alert's level (0: none)
    current: int  # the level by the rules in force (0: none)
    proposed: int  # the level by the drafted rules
    label: str = ""  # the anomaly condition's name (item anomalies, whose kind is "item:<key>")

    @property
    def action(self) -> str:
        return outcome(self.open_level, self.proposed)[0]

    @property
    def level(self) -> int:
        return outcome(self.open_level, self.proposed)[1]


def outcome(open_level: int, level: int) -> tuple[str, int]:
    """What the sweep does to a subject whose open alert has ``open_level`` (0: none) when its
    rules give it ``level`` (0: none): (action, level), the action "" when nothing changes. An
    open alert never steps down (``services._judge_clock``)."""
    if level and not open_level:
        return "raised", level
    if open_level and not level:
        return "resolved", open_level
    if level > open_level:
        return "escalated", level
    return "", open_level


@dataclass
class MonthCards:
    month: dt.date
    actual: Counter = field(default_factory=Counter)  # level -> cases
    current: Counter = field(default_factory=Counter)
    proposed: Counter = field(default_factory=Counter)


@dataclass
class Preview:
    change: Change
    today: dt.date
    current: Tally
    proposed: Tally
    changes: list[AlertChange]
    changed_count: int
    months: list[MonthCards]
    period: tuple[dt.date, dt.date] | None


def impact_preview(*, actor, change: Change, today: dt.date | None = None,
                   period: tuple[dt.date, dt.date] | None = None) -> Preview:
    """What ``change`` would do over the open cases today and over the cases completed in
    ``period`` (first and last day), compared with the rules in force. Writes nothing."""
    require_previewer(actor)
    now = timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        sweep_prepare(now=now)  # the clock rows as the sweep would judge them now
        current, proposed, changes, changed = Tally(), Tally(), [], 0
        for kind_class in PREVIEWED_KINDS:
            changed += _open_impact(kind_class, change.source, today, current, proposed, changes)
        changed += _anomaly_impact(change, today, current, proposed, changes)
        months = _past_cards(change.source, period) if period else []
        transaction.set_rollback(True)
    return Preview(change, today, current, proposed, changes, changed, months, period)


def _both(kind_class, source: RuleSource, rows, today, versions=None):
    """``rows`` annotated with ``sv_now`` and ``sv_new``: the level by the rules in force and by the
    drafted ones — each the sweep's compiled ``CASE WHEN`` over its own annotations."""
    now_kind, new_kind = kind_class(), kind_class(source, suffix="_new")
    out = {}
    for name, kind in (("sv_now", now_kind), ("sv_new", new_kind)):
        groups = None if versions is None else kind.groups_for(versions)
        levels, broken = level_queries(kind, today, groups)
        if broken and kind is new_kind:
            raise InvalidInput("修改后的监察规则无法执行：" + "；".join(reason for _g, reason in broken),
                               details={"supervision": [reason for _g, reason in broken]})
        spared = Q()
        for group, _reason in broken:  # the rules in force that cannot be judged: as the sweep, spared
            spared |= group.where
        if broken:
            rows = rows.exclude(spared)
        out[name] = level_expression(levels) if levels else Value(0, output_field=IntegerField())
    return rows.annotate(**out)


def _open_impact(kind_class, source, today, current: Tally, proposed: Tally, changes: list) -> int:
    """Tally the kind's outcomes by both rules; list (up to ``LIST_LIMIT``) the subjects treated
    otherwise. Two statements: the levels grouped with the open alerts, and the open alerts of
    clocks no longer running (resolved whatever the rules). Returns how many are treated otherwise."""
    kind = kind_class()
    rows = kind_class(source, suffix="_new").shifted(kind.rows(today), **kind.deadlines(), today=today)
    judged = _both(kind_class, source, rows.filter(kind.scope()), today)
    try:
        inner, params = judged.annotate(
            sv_subject=F(kind.subject_path), sv_case=F(kind.case_path), sv_department=kind.department_expr(),
        ).values_list("sv_subject", "sv_case", "sv_department", "sv_now", "sv_new").query.sql_with_params()
    except EmptyResultSet:
        inner = None
    qn = connection.ops.quote_name
    a = {n: qn(Alert._meta.get_field(n).column) for n in ("kind", "subject_type", "subject_id", "stored_level", "resolved_at")}
    a["level"] = a["stored_level"]  # (the case clock writes its levels: stored is derived)
    alert = qn(Alert._meta.db_table)
    joined = (f"FROM ({inner}) j LEFT JOIN {alert} a ON a.{a['kind']} = %s AND a.{a['subject_type']} = %s "
              f"AND a.{a['subject_id']} = j.sv_subject AND a.{a['resolved_at']} IS NULL")
    differ = 0
    if inner is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT j.sv_department, j.sv_now, j.sv_new, COALESCE(a.{a['level']}, 0), COUNT(*) "
                           f"{joined} WHERE j.sv_now > 0 OR j.sv_new > 0 OR a.{a['level']} IS NOT NULL "
                           f"GROUP BY j.sv_department, j.sv_now, j.sv_new, COALESCE(a.{a['level']}, 0)",
                           [*params, kind.key, kind.subject])
            for department, now_level, new_level, open_level, n in cursor.fetchall():
                for tally, level in ((current, now_level), (proposed, new_level)):
                    action, shown = outcome(open_level, level)
                    if action:
                        tally.add(department, action, shown, n)
                    if action != "resolved" and shown:
                        tally.add(department, "open", shown, n)
                if outcome(open_level, now_level) != outcome(open_level, new_level):
                    differ += n
            room = LIST_LIMIT - len(changes)
            if differ and room > 0:
                # ``outcome`` in SQL: the alert's level after the sweep (0: none or resolved) differs
                opened = f"COALESCE(a.{a['level']}, 0)"

                def after(level: str) -> str:
                    return f"CASE WHEN {level} = 0 THEN 0 WHEN {level} <= {opened} THEN {opened} ELSE {level} END"

                cursor.execute(f"SELECT j.sv_subject, j.sv_case, j.sv_department, {opened}, j.sv_now, j.sv_new "
                               f"{joined} WHERE {after('j.sv_now')} <> {after('j.sv_new')} "
                               f"ORDER BY j.sv_department, j.sv_subject LIMIT {int(room)}",
                               [*params, kind.key, kind.subject])
                changes += [AlertChange(kind.key, *row) for row in cursor.fetchall()]
    # Open alerts whose clock no longer runs (done, stopped, out of scope): resolved by either rules.
    # (NOT EXISTS, an anti-join: a NOT IN over a million subjects is a hashed subplan only while it
    # fits in work_mem, and beyond that a scan of the list per alert)
    running = kind.rows(today).filter(kind.scope(), **{kind.subject_path: OuterRef("subject_id")})
    stopped = (Alert.objects.filter(~Exists(running), kind=kind.key, resolved_at__isnull=True)
               .values("department_id", "level").annotate(n=Count("pk")).order_by())
    for row in stopped:
        for tally in (current, proposed):
            tally.add(row["department_id"], "resolved", row["level"], row["n"])
    return differ


def _anomaly_impact(change: Change, today, current: Tally, proposed: Tally, changes: list) -> int:
    """An item's changed anomaly conditions (added, removed or changed ``anomalies`` entries) over
    the steps of its open cases: for each changed key, the in-force ``item:<key>`` kind the sweep
    judges (``ItemAnomalies.expand``) beside the drafted condition as an ``ItemAnomaly`` of the same
    key, both compiled by ``level_queries``; an open alert is resolved when its condition no longer
    holds, one raised where it holds and none is open (``judge_kind``). Returns how many differ."""
    if change.item is None or change.source.item_rules is None:
        return 0
    from designer.models import ItemVersion
    from designer.selectors import effective_supervision_rules

    item = change.item
    old = {a["key"]: a for a in effective_supervision_rules(item.current_version.document).get("anomalies", [])}
    new = {a["key"]: a for a in effective_supervision_rules(item.definition).get("anomalies", [])}
    keys = sorted(k for k in old.keys() | new.keys()
                  if old.get(k, {}).get("condition") != new.get(k, {}).get("condition"))
    if not keys:
        return 0
    versions = tuple(ItemVersion.objects.filter(item=item).values_list("pk", flat=True))
    in_force = {kind.key: kind for kind in ItemAnomalies().expand()}
    open_cases = Q(case__version_id__in=versions, case__completed_on__isnull=True)
    differ = 0
    for key in keys:
        entry = new.get(key) or old[key]
        drafted = ItemAnomaly(key, entry["name"], [VersionGroup(
            Q(state="done", case__version_id__in=versions), {Level.ANOMALY: new[key]["condition"]}, versions=versions,
        )] if key in new else [])
        kind = in_force.get(drafted.key)
        levels = {}
        for name, judged in (("sv_now", kind), ("sv_new", drafted)):
            compiled, broken = level_queries(judged, today) if judged else ({}, [])
            if broken and judged is drafted:
                raise InvalidInput("修改后的异常条件无法执行：" + "；".join(reason for _g, reason in broken),
                                   details={"supervision.anomalies": [reason for _g, reason in broken]})
            levels[name] = level_expression(compiled) if compiled else Value(0, output_field=IntegerField())
        rows = (drafted.rows(today).filter(open_cases).annotate(**levels)
                .filter(Q(sv_now__gt=0) | Q(sv_new__gt=0))
                .annotate(sv_department=drafted.department_expr())
                .values_list(drafted.subject_path, drafted.case_path, "sv_department", "sv_now", "sv_new"))
        subjects = {subject: [case, department, now_level, new_level, 0]
                    for subject, case, department, now_level, new_level in rows}
        alerts = Alert.objects.filter(open_cases, kind=drafted.key, resolved_at__isnull=True)
        for subject, case, department, level in alerts.values_list("subject_id", "case_id", "department_id", "level"):
            subjects.setdefault(subject, [case, department, 0, 0, 0])[4] = level
        for subject, (case, department, now_level, new_level, open_level) in sorted(subjects.items()):
            for tally, level in ((current, now_level), (proposed, new_level)):
                action, shown = outcome(open_level, level)
                if action:
                    tally.add(department, action, shown, 1)
                if action != "resolved" and shown:
                    tally.add(department, "open", shown, 1)
            if outcome(open_level, now_level) != outcome(open_level, new_level):
                differ += 1
                if len(changes) < LIST_LIMIT:
                    changes.append(AlertChange(drafted.key, subject, case, department, open_level, now_level,
                                               new_level, drafted.label))
    return differ


def _ordinal(expr: str):
    return Subquery(WorkdayOrdinal.objects.filter(day=OuterRef(expr)).values("ordinal")[:1],
                    output_field=IntegerField())


def _past_cards(source: RuleSource, period: tuple[dt.date, dt.date]) -> list[MonthCards]:
    """Per month of completion, the cases completed in ``period`` that would have had a warning,
    a yellow or a red card (their highest) by the rules in force and by the drafted ones, against
    the highest case-clock alert each was actually given. One grouped query."""
    from runtime.models import Case

    start, end = period
    cases = Case.objects.filter(completed_on__gte=start, completed_on__lte=end, accepted_on__isnull=False,
                                promised_due_on__isnull=False)
    deadlines = {"due": _ordinal("promised_due_on"), "statutory_due": _ordinal("statutory_due_on"),
                 "limit": F("promised_limit_days"), "statutory_limit": F("statutory_limit_days"),
                 "today": _ordinal("completed_on")}
    rows = CaseClock().shifted(cases, **deadlines)
    rows = CaseClock(source, suffix="_new").shifted(rows, **deadlines)
    versions = cases.order_by().values_list("version_id", flat=True).distinct()
    judged = _both(CaseClock, source, rows, end, versions=versions)
    actual = Subquery(Alert.objects.filter(kind=CaseClock.key, case_id=OuterRef("pk")).order_by()
                      .values("case_id").annotate(top=Max("level")).values("top")[:1], output_field=IntegerField())
    grouped = (judged.annotate(sv_month=TruncMonth("completed_on"), sv_actual=actual)
               .values("sv_month", "sv_now", "sv_new", "sv_actual").annotate(n=Count("pk")).order_by())
    months: dict[dt.date, MonthCards] = {}
    day = start.replace(day=1)
    while day <= end:
        months[day] = MonthCards(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    for row in grouped:
        month = row["sv_month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        entry = months.setdefault(month, MonthCards(month))
        entry.current[row["sv_now"]] += row["n"]
        entry.proposed[row["sv_new"]] += row["n"]
        entry.actual[row["sv_actual"] or 0] += row["n"]
    return [months[m] for m in sorted(months)]
