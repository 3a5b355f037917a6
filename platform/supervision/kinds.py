"""Supervision rule kinds: what is judged, over which rows, with which json-logic rules.

A kind names its subject rows (an annotated queryset: ``clock.days_left`` and friends are
computed by the database through the working-day index), the variables its rules may read and
the ORM field behind each, and its rules per level — as json-logic data, compiled to ``Q`` by
``rules.compile_to_q``, so the sweep selects by queries, never by a loop over cases. Adding a kind
is one class here, registered in ``rule_kinds``.

District defaults (docs/supervision.md): the case clock follows each item's rule set from the
designer (district defaults overridden key by key; ``designer.rulesets`` says what each card
means), and nothing else; the other clocks follow ``DISTRICT_PRACTICE``.
"""

from __future__ import annotations

import datetime as dt
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce

from core.registry import Registry
from designer.step_facts import STEP_FACT_VARIABLES
from rules import Variable
from runtime.rule_data import FACT_COLUMNS
from runtime.steps import keys_where as step_keys_where

from .models import Level, Subject
from .workday_index import days_left, ordinal_of

# --- the district's published practice (data) ------------------------------------------------
# Numbers are working days; "over N" means more than N working days past the deadline.
DISTRICT_PRACTICE = {
    "special_procedure": {"warning_days": 2, "yellow_over": 0, "red_over": 1},
    "pre_review": {"yellow_over": 3, "red_over": 5},
    "certificate": {"yellow_over": 0},
    "step": {"warning_days": 0, "yellow_over": 0, "red_over": 2},
    "order": {"warning_days": 2, "yellow_over": 1, "red_over": 2},
    "complaint": {"warning_days": 2, "yellow_over": 1, "red_over": 2},
}

ITEM_PREFIX = "item:"  # alerts of the anomaly conditions items declare: kind "item:<key>"
OPINION_ACTIONS = ["return", "reject", "request_correction", "suspend", "extend"]
OPEN_CASE_STATES = ["received", "correcting", "in_progress", "suspended"]

LEFT = {"var": "clock.days_left"}
CARD_LEVELS = {"warning": Level.WARNING, "yellow": Level.YELLOW, "red": Level.RED}


def _num(name: str, label: str) -> Variable:
    return Variable(name, "number", label)


def _warning(days: int) -> dict:
    """From ``days`` working days before the deadline on, until a card takes over (a card's
    level wins; past the deadline but not yet carded, the warning stays)."""
    return {"<=": [LEFT, days]}


def _over(days: int) -> dict:
    return {"<": [LEFT, -days]}


def practice_starts(practice: str) -> dict[int, int]:
    """Level → working days from the deadline's ordinal to the first day the level holds under
    the district's practice: the same thresholds as ``_warning`` (days left ≤ N: from N days
    before) and ``_over`` (days left < −N: from N + 1 days after)."""
    p = DISTRICT_PRACTICE[practice]
    starts = {}
    if "warning_days" in p:
        starts[Level.WARNING] = -p["warning_days"]
    if "yellow_over" in p:
        starts[Level.YELLOW] = p["yellow_over"] + 1
    if "red_over" in p:
        starts[Level.RED] = p["red_over"] + 1
    return starts


@dataclass(frozen=True)
class RuleGroup:
    """Rows selected by ``where`` are judged by ``levels`` (level → json-logic rule)."""

    where: Q
    levels: dict[int, dict]
    # Why the group's rules could not be read (an invalid definition that reached the database):
    # the sweep skips the group, sparing its rows, and reports it.
    error: str = ""


@dataclass(frozen=True)
class VersionGroup(RuleGroup):
    """A group that also names the item versions it covers."""

    versions: tuple = ()


class RuleKind(ABC):
    """A kind of supervision rule; concrete kinds say which rows they read and how they judge them."""

    key: str = ""
    label: str = ""
    subject: str = ""
    is_clock: bool = True
    # False: the rule reads only stored facts (no "today"), so between full sweeps it is judged only
    # on the cases changed since the last sweep.
    time_dependent: bool = True
    # True: a row's level depends only on today's working day, the rules and its case's own rows,
    # and the alerts only on the sweep — a repeated sweep the same day may judge the changed cases
    # only (``judgement_marks``).
    follows_case_changes: bool = False
    # True: the kind's levels follow fixed thresholds from a deadline (``practice_starts``), so the
    # sweep writes each clock once with the days its levels start, and a new day writes nothing
    # (``derived_clocks``, decision 007).
    derives_levels: bool = False
    variables: dict[str, Variable] = {}
    fields: dict[str, str] = {}
    subject_path: str = "pk"
    case_path: str = "case_id"
    department_path: str = "case__department_id"

    @abstractmethod
    def rows(self, today: dt.date) -> QuerySet:
        """Every row the kind's variables can be read on, annotated."""

    def scope(self) -> Q:
        """Rows on which an alert may be raised (and, for clocks, may stay open)."""
        return Q()

    @abstractmethod
    def groups(self, today: dt.date) -> list[RuleGroup]:
        """The rows to judge and the rule for each level."""

    def department_expr(self):
        return F(self.department_path)

    def narrow(self, rows: QuerySet, *, cases, part) -> QuerySet:
        """``rows`` less those that cannot hold whatever their values (a cheap pre-selection when
        every row is judged; ``cases``: the ids judged, None for all)."""
        return rows

    def expand(self) -> list[RuleKind]:
        """The kinds the sweep judges for this one (itself; a kind whose rules come from the
        items' rule sets makes one per rule)."""
        return [self]


class _Clock(RuleKind):
    """A clock judged on ``ClockRow`` (deadlines as working-day ordinals)."""

    group = ""
    practice = ""
    subject_path = "subject_id"
    department_path = "department_id"
    variables = {"clock.days_left": _num("clock.days_left", "距期限工作日")}
    fields = {"clock.days_left": "sv_left"}

    def rows(self, today):
        from .models import ClockRow

        today_ord = Value(ordinal_of(today), output_field=IntegerField())
        return ClockRow.objects.filter(group=self.group).annotate(
            sv_left=ExpressionWrapper(F("due_ord") - today_ord, output_field=IntegerField()),
            sv_statutory_left=ExpressionWrapper(F("statutory_due_ord") - today_ord, output_field=IntegerField()))

    def groups(self, today):
        p = DISTRICT_PRACTICE[self.practice]
        levels = {}
        if "warning_days" in p:
            levels[Level.WARNING] = _warning(p["warning_days"])
        if "yellow_over" in p:
            levels[Level.YELLOW] = _over(p["yellow_over"])
        if "red_over" in p:
            levels[Level.RED] = _over(p["red_over"])
        return [RuleGroup(Q(), levels)]


def _today_ordinal(today: dt.date) -> Value:
    return Value(ordinal_of(today), output_field=IntegerField())


class CaseClock(_Clock):
    """The case's own clock, read from the runtime's case (``clock_sources``): accepted, running,
    not stopped by a special procedure."""

    key = "case_clock"
    label = "办件时限"
    subject = Subject.CASE
    group = "case"
    follows_case_changes = True
    subject_path = "pk"
    case_path = "pk"
    variables = {"clock.days_left": _num("clock.days_left", "距承诺期限工作日"),
                 "clock.statutory_days_left": _num("clock.statutory_days_left", "距法定期限工作日"),
                 "clock.limit_days": _num("clock.limit_days", "承诺时限"),
                 "clock.statutory_limit_days": _num("clock.statutory_limit_days", "法定时限")}
    fields = {"clock.days_left": "sv_left", "clock.statutory_days_left": "sv_statutory_left",
              "clock.limit_days": "sv_limit_days", "clock.statutory_limit_days": "sv_statutory_limit_days"}

    def __init__(self, source=None, suffix: str = ""):
        # Where the rules and limits come from (``rule_sources.RuleSource``): None, the database
        # as it stands (read afresh at each judgement); the impact preview passes a drafted change,
        # with a ``suffix`` on its variables' annotations so both rules judge the same rows in one
        # query.
        self.source, self.suffix = source, suffix
        self.fields = {name: column + suffix for name, column in type(self).fields.items()}

    def rule_source(self):
        from .rule_sources import RuleSource

        return self.source or RuleSource()

    def source_rows(self) -> QuerySet:
        """The running clocks, before annotation: the runtime's accepted cases read in place."""
        from .clock_sources import CaseClockSource

        return CaseClockSource.objects.filter(state="in_progress", paused_since__isnull=True, accepted_on__isnull=False)

    def deadlines(self) -> dict:
        """Where ``source_rows`` keep the deadlines (working-day ordinals) and the limits."""
        return {"due": F("promised_ord__ordinal"), "statutory_due": F("statutory_ord__ordinal"),
                "limit": F("limit_days"), "statutory_limit": F("statutory_limit_days")}

    def rows(self, today):
        return self.shifted(self.source_rows(), **self.deadlines(), today=today)

    def versions(self) -> list:
        """The item versions whose rule sets may judge these rows."""
        return versions_in_use()

    @staticmethod
    def levels_for(rules: dict) -> dict[int, dict]:
        """The item's effective rule set as level → json-logic (``designer.rulesets``)."""
        from designer.rulesets import level_rules

        return {CARD_LEVELS[name]: rule for name, rule in level_rules(rules).items()}

    def shifted(self, rows: QuerySet, *, due, statutory_due, limit, statutory_limit, today) -> QuerySet:
        """``rows`` annotated with the clock's variables (``fields``) from the given deadlines (as
        ordinals) and limits, moved by the source's drafted limit change for the changed item's
        cases. ``today``: a date, or an expression of each row's day of judgement (an ordinal)."""
        shift = self.rule_source().shift
        today_ord = today if not isinstance(today, dt.date) else Value(ordinal_of(today), output_field=IntegerField())

        def moved(expr, days: int):
            if not shift or not days:
                return expr
            mine = Q(version_id__in=self.rule_source().item_versions())
            return expr + CaseWhen(When(mine, then=Value(days)), default=Value(0), output_field=IntegerField())

        p, s = (shift.promised, shift.statutory) if shift else (0, 0)
        values = {"sv_left": moved(due, p) - today_ord, "sv_statutory_left": moved(statutory_due, s) - today_ord,
                  "sv_limit_days": moved(limit, p), "sv_statutory_limit_days": moved(statutory_limit, s)}
        return rows.annotate(**{name + self.suffix: ExpressionWrapper(expr, output_field=IntegerField())
                                for name, expr in values.items()})

    def groups(self, today):
        return self.groups_for(self.versions())

    def groups_for(self, versions) -> list[RuleGroup]:
        """The rule groups of the cases of ``versions`` (ids; None for a pushed case whose item has
        no published version): the versions with the same effective rules share one group."""
        from designer.models import ItemVersion

        source = self.rule_source()
        versions = list(versions)
        by_rules: dict[str, list[int]] = {}
        levels: dict[str, dict] = {}
        unreadable = []
        for version in ItemVersion.objects.filter(pk__in=[v for v in versions if v]).only("pk", "item_id", "document"):
            try:
                rule_levels = self.levels_for(source.effective(version))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                unreadable.append(VersionGroup(Q(version_id=version.pk), {}, versions=(version.pk,),
                                               error=f"期限规则无法读取（{type(exc).__name__}: {exc}）"))
                continue
            key = json.dumps(rule_levels, sort_keys=True)
            by_rules.setdefault(key, []).append(version.pk)
            levels[key] = rule_levels
        groups = [VersionGroup(Q(version_id__in=ids), levels[key], versions=tuple(ids)) for key, ids in by_rules.items()]
        groups += unreadable
        if None in versions:  # a pushed case whose item has no published version
            groups.append(RuleGroup(Q(version_id__isnull=True), self.levels_for(source.district_rules)))
        return groups


class ExternalCaseClock(CaseClock):
    """A case pushed in by a department's own system (``ExternalCase``): judged by the same rules
    as the runtime's cases (its item's current rule set over the district defaults)."""

    key = "external_case_clock"
    label = "外部系统办件时限"
    subject = Subject.EXTERNAL_CASE
    group = "external"
    follows_case_changes = False  # pushed cases are no runtime cases: their changes are not among them
    subject_path = "subject_id"
    case_path = "case_id"

    def source_rows(self):
        from .models import ClockRow

        return ClockRow.objects.filter(group=self.group)

    def deadlines(self):
        return {"due": F("due_ord"), "statutory_due": F("statutory_due_ord"), "limit": F("limit_days"),
                "statutory_limit": F("statutory_limit_days")}

    def versions(self):
        from .models import ClockRow

        return list(ClockRow.objects.filter(group=self.group).values_list("version_id", flat=True).distinct())


def _step_department():
    """A step's department: the step's own, else its case's (steps of a parallel approval are
    other departments')."""
    return Coalesce(F("department_id"), F("case__department_id"))


class _StepClock(_Clock):
    """An open step's clock, read from the runtime's step (``clock_sources``) of an open case whose
    clock is not stopped; its department is the step's, else the case's."""

    group = "task"
    subject_path = "pk"
    follows_case_changes = True
    derives_levels = True

    def rows(self, today):
        from .clock_sources import TaskClockSource

        return TaskClockSource.objects.filter(state="open", case__state__in=OPEN_CASE_STATES,
                                              case__paused_since__isnull=True).annotate(
            channel=F("case__channel"),
            sv_left=ExpressionWrapper(F("due_ord__ordinal") - _today_ordinal(today), output_field=IntegerField()))

    def department_expr(self):
        return _step_department()

    def due_expr(self):
        """The deadline's working-day ordinal (``derived_clocks``)."""
        return F("due_ord__ordinal")


class PreReviewClock(_StepClock):
    key = "pre_review_clock"
    label = "网上预审时限"
    subject = Subject.TASK
    practice = "pre_review"

    def scope(self):
        return Q(step_type__in=step_keys_where(accepts=True), channel="online")


class CertificateClock(_StepClock):
    key = "certificate_clock"
    label = "制证发证时限"
    subject = Subject.TASK
    practice = "certificate"

    def scope(self):
        return Q(step_type__in=step_keys_where(completion=True))


class StepClock(_StepClock):
    key = "step_clock"
    label = "环节时限"
    subject = Subject.TASK
    practice = "step"

    def scope(self):
        return (~Q(step_type__in=step_keys_where(completion=True))
                & ~Q(step_type__in=step_keys_where(accepts=True), channel="online"))


class SpecialProcedureClock(_Clock):
    key = "special_procedure_clock"
    label = "特别程序时限"
    subject = Subject.PAUSE
    group = "pause"
    practice = "special_procedure"
    variables = {"clock.days_left": _num("clock.days_left", "距告知的结束日期工作日")}


class OrderClock(_Clock):
    key = "order_clock"
    label = "督办时限"
    subject = Subject.ORDER
    group = "order"
    practice = "order"
    variables = {"clock.days_left": _num("clock.days_left", "距督办期限工作日")}


def versions_in_use() -> list[int]:
    """The item versions some case is pinned to (one index probe per version, not a scan of the
    cases)."""
    from designer.models import ItemVersion
    from runtime.models import Case

    return list(ItemVersion.objects.filter(Exists(Case.objects.filter(version_id=OuterRef("pk"))))
                .values_list("pk", flat=True))


def _case_model():
    from runtime.models import Case

    return Case


def _task_model():
    from runtime.models import Task

    return Task


class ComplaintClock(_Clock):
    key = "complaint_clock"
    label = "投诉、咨询与整改答复时限"
    subject = Subject.COMPLAINT
    group = "complaint"
    practice = "complaint"
    variables = {"clock.days_left": _num("clock.days_left", "距答复期限工作日")}


# --- anomalies: one rule each, level ANOMALY; raised on open cases, kept until the fact ends ---

class Anomaly(RuleKind):
    is_clock = False
    rule: dict = {}

    @abstractmethod
    def model(self):
        """The model whose rows this anomaly is judged on."""

    def rows(self, today):
        return self.model().objects.all()

    def groups(self, today):
        return [RuleGroup(Q(), {Level.ANOMALY: self.rule})]


class _StepAnomaly(Anomaly):
    """An anomaly judged on the steps (tasks) of open cases; its department is the step's."""

    subject = Subject.TASK

    def model(self):
        return _task_model()

    def department_expr(self):
        return _step_department()

    def scope(self):
        return Q(case__state__in=OPEN_CASE_STATES)


class LateAcceptance(Anomaly):
    time_dependent = False
    key = "late_acceptance"
    label = "超过5个工作日受理且未一次性告知补正"
    subject = Subject.CASE
    case_path = "pk"
    department_path = "department_id"
    variables = {"case.deemed_accepted": Variable("case.deemed_accepted", "boolean", "逾期视为受理"),
                 "case.corrections": _num("case.corrections", "受理前补正告知次数")}
    fields = {"case.deemed_accepted": "deemed_accepted", "case.corrections": FACT_COLUMNS["case.corrections"]}
    rule = {"and": [{"var": "case.deemed_accepted"}, {"==": [{"var": "case.corrections"}, 0]}]}

    def model(self):
        return _case_model()

    def scope(self):
        return Q(state__in=OPEN_CASE_STATES)


class MissingOpinion(_StepAnomaly):
    time_dependent = False
    key = "missing_opinion"
    label = "应签署意见的环节未签署意见"
    variables = {"step.state": Variable("step.state", "string", "环节状态"),
                 "step.opinion": Variable("step.opinion", "string", "意见"),
                 "step.type": Variable("step.type", "string", "环节类型"),
                 "step.action": Variable("step.action", "string", "操作")}
    fields = {"step.state": "state", "step.opinion": "opinion", "step.type": "step_type", "step.action": "action"}

    @property
    def rule(self) -> dict:
        # The opinion steps are the runtime's to say (runtime.steps), not named here.
        return {"and": [{"==": [{"var": "step.state"}, "done"]}, {"==": [{"var": "step.opinion"}, ""]},
                        {"or": [{"in": [{"var": "step.type"}, step_keys_where(opinion_required=True)]},
                                {"in": [{"var": "step.action"}, OPINION_ACTIONS]}]}]}


class SpecialProcedureOverrun(Anomaly):
    key = "special_procedure_overrun"
    label = "特别程序超过告知的期间仍未结束"
    subject = Subject.PAUSE
    variables = {"clock.days_left": _num("clock.days_left", "距告知的结束日期工作日"),
                 "pause.ended": Variable("pause.ended", "boolean", "已结束")}
    fields = {"clock.days_left": "sv_left", "pause.ended": "sv_ended"}
    rule = {"and": [{"!": [{"var": "pause.ended"}]}, {"<": [LEFT, 0]}]}

    def model(self):
        from runtime.models import Pause

        return Pause

    def rows(self, today):
        return self.model().objects.annotate(sv_left=days_left("expected_end_on", today),
                                             sv_ended=ExpressionWrapper(Q(ended_on__isnull=False),
                                                                        output_field=BooleanField()))

    def scope(self):
        from runtime.models import UNJUDGED_PROCEDURES

        return Q(case__state__in=OPEN_CASE_STATES) & ~Q(procedure__in=UNJUDGED_PROCEDURES)


class LogChainBroken(Anomaly):
    """A case whose log failed its last verification, open or closed (the sweep re-verifies closed
    cases too: a re-sealed past is as much a fault as a changed present). Judged every sweep: its
    rows are only the failed checks, whatever changed."""

    key = "log_chain_broken"
    label = "办件日志哈希链校验不通过"
    subject = Subject.CASE
    case_path = "pk"
    department_path = "department_id"
    variables = {"log.broken": Variable("log.broken", "boolean", "日志链校验不通过")}
    fields = {"log.broken": "sv_log_broken"}
    rule = {"var": "log.broken"}

    def model(self):
        return _case_model()

    def rows(self, today):
        from .models import LogCheck

        return self.model().objects.filter(supervision_log_check__ok=False).annotate(
            sv_log_broken=Exists(LogCheck.objects.filter(case=OuterRef("pk"), ok=False)))


MANY_CANDIDATES = 20_000  # cases short of a material named in the query; more: a subquery


class MissingMaterials(Anomaly):
    """A case accepted while a material its item requires for its form data is missing
    (``materials.missing_count``: the runtime's material check, as one expression)."""

    time_dependent = False
    key = "accepted_missing_materials"
    label = "材料不全即予受理"
    subject = Subject.CASE
    case_path = "pk"
    department_path = "department_id"
    variables = {"case.missing_materials": _num("case.missing_materials", "缺少的必交材料数"),
                 "case.accepted": Variable("case.accepted", "boolean", "已受理")}
    fields = {"case.missing_materials": "sv_missing_materials", "case.accepted": "sv_accepted"}
    rule = {"and": [{"var": "case.accepted"}, {">": [{"var": "case.missing_materials"}, 0]}]}

    def model(self):
        return _case_model()

    def rows(self, today):
        from .materials import missing_count

        cases = self.model().objects
        count, needed = missing_count(versions_in_use())
        return cases.alias(**needed).annotate(
            sv_missing_materials=count,
            sv_accepted=ExpressionWrapper(Q(accepted_on__isnull=False), output_field=BooleanField()))

    def scope(self):
        return Q(state__in=OPEN_CASE_STATES)

    def narrow(self, rows, *, cases, part):
        from .materials import incomplete_cases

        if cases is not None:  # a few changed cases: judged one by one
            return rows
        candidates = incomplete_cases(versions_in_use(), open_states=OPEN_CASE_STATES, alert_kind=self.key,
                                      part=None if part is None or part.whole else part)
        if candidates is None:
            return rows
        from django.db import connection, transaction

        # Fetched first: given as a subquery, the planner may judge every case before joining it.
        # Both sides come in case order (the handed-in materials' index, runtime 0018, and the
        # cases' key), so a merge join streams them; the planner, which expects a third of the
        # groups there are, would hash a million masks and spill them to disk.
        # (A savepoint keeps a SET LOCAL to the end of the whole transaction: set back at once.)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_hashjoin'), set_config('enable_hashjoin', 'off', true)")
            before = cursor.fetchone()[0]
            try:
                cursor.execute(f"{candidates.sql} LIMIT {MANY_CANDIDATES + 1}", candidates.params)
                ids = [row[0] for row in cursor.fetchall()]
            finally:
                cursor.execute("SELECT set_config('enable_hashjoin', %s, true)", [before])
        return rows.filter(pk__in=candidates) if len(ids) > MANY_CANDIDATES else rows.filter(pk__in=ids)


class ActorWithoutRole(_StepAnomaly):
    """A step completed by someone who did not then hold the step's role in a unit covering the
    step's unit (the task's ``actor_held_role``, taken by the runtime when the step was done)."""

    time_dependent = False
    key = "actor_without_role"
    label = "办理人不具有该环节规定的角色"
    variables = {"step.actor_without_role": Variable("step.actor_without_role", "boolean", "办理人不具有环节角色")}
    fields = {"step.actor_without_role": "sv_actor_without_role"}
    rule = {"var": "step.actor_without_role"}

    def rows(self, today):
        return self.model().objects.annotate(sv_actor_without_role=ExpressionWrapper(
            Q(actor_held_role=False), output_field=BooleanField()))


# The step facts an item's own anomaly conditions read (designer.step_facts, their one list), and
# the ORM field (or annotation) behind each, on a done step's row.
STEP_FACT_FIELDS = {
    "step.key": "step_key", "step.type": "step_type", "step.opinion": "opinion", "step.action": "action",
    "step.used_days": "sv_used_days", "step.limit_days": "limit_days", "step.skipped": "sv_skipped",
    "case.missing_materials": "sv_missing_materials", "case.channel": "case__" + FACT_COLUMNS["case.channel"],
}


class ItemAnomaly(_StepAnomaly):
    """One anomaly condition declared by items' rule sets (``anomalies``: json-logic over the step
    facts), judged on the done steps of the cases of the versions that declare it. Made by
    ``ItemAnomalies.expand``; its alerts are of kind ``item:<key>``."""

    time_dependent = False
    variables = STEP_FACT_VARIABLES
    fields = STEP_FACT_FIELDS

    def __init__(self, key: str, label: str, groups: list[RuleGroup]):
        self.key, self.label, self._groups = f"{ITEM_PREFIX}{key}", label[:300], groups

    def groups(self, today):
        return self._groups

    def rows(self, today):
        from django.db.models import Subquery
        from django.db.models.functions import TruncDate
        from django.utils import timezone

        from .materials import missing_count
        from .models import WorkdayOrdinal

        def ordinal(expr):
            return Subquery(WorkdayOrdinal.objects.filter(day=expr).values("ordinal")[:1],
                            output_field=IntegerField())

        tasks = self.model().objects.annotate(
            sv_done_on=TruncDate("completed_at", tzinfo=timezone.get_current_timezone()))
        tasks = tasks.annotate(
            sv_used_days=ExpressionWrapper(ordinal(OuterRef("sv_done_on")) - ordinal(OuterRef("opened_on"))
                                           - F("paused_days"), output_field=IntegerField()),
            sv_skipped=ExpressionWrapper(Q(state="done", completed_at__isnull=True), output_field=BooleanField()))
        if any("case.missing_materials" in json.dumps(g.levels) for g in self._groups):
            versions = {v for g in self._groups for v in g.versions}
            count, needed = missing_count(versions, prefix="case__")
            tasks = tasks.alias(**needed).annotate(sv_missing_materials=count)
        return tasks


class ItemAnomalies(RuleKind):
    """The anomaly conditions items declare in their rule sets: one ``ItemAnomaly`` per key."""

    key = "item_anomalies"
    label = "事项规则中的异常条件"
    subject = Subject.TASK
    is_clock = False
    time_dependent = False

    def rows(self, today):
        return _task_model().objects.none()

    def groups(self, today):
        return []

    def expand(self) -> list[RuleKind]:
        from designer.models import ItemVersion
        from designer.selectors import effective_supervision_rules

        by_key: dict[str, dict] = {}  # key -> {"label", "conditions": {json: (condition, [version ids])}}
        for version in ItemVersion.objects.filter(pk__in=versions_in_use()).only("pk", "document"):
            for anomaly in effective_supervision_rules(version.document).get("anomalies", []):
                entry = by_key.setdefault(anomaly["key"], {"label": anomaly["name"], "conditions": {}})
                text = json.dumps(anomaly["condition"], sort_keys=True)
                entry["conditions"].setdefault(text, (anomaly["condition"], []))[1].append(version.pk)
        kinds = []
        for key, entry in sorted(by_key.items()):
            groups = [VersionGroup(Q(state="done", case__version_id__in=ids), {Level.ANOMALY: condition}, versions=tuple(ids))
                      for condition, ids in entry["conditions"].values()]
            kinds.append(ItemAnomaly(key, entry["label"], groups))
        return kinds


rule_kinds: Registry[RuleKind] = Registry("监察规则种类")


def register_rule_kinds() -> None:
    from .joint import JointBranchOverrun

    for kind in (CaseClock, ExternalCaseClock, PreReviewClock, StepClock, CertificateClock, SpecialProcedureClock, OrderClock, ComplaintClock,
                 LateAcceptance, MissingOpinion, SpecialProcedureOverrun, LogChainBroken, MissingMaterials,
                 ActorWithoutRole, ItemAnomalies, JointBranchOverrun):
        if kind.key not in rule_kinds:
            rule_kinds.register(kind.key, kind())
