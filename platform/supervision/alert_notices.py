"""Who is told of which alerts after a sweep, and in how many notices (``alerts_notify``).

An alert raised or escalated since its last notice is told to the handlers and section chiefs of
the units around the desks its case is on (the units of its open tasks; its responsible unit when
it is on none) and to every supervisor. A person due more than ``SUPERVISION_DIGEST_OVER``
notices from one run gets **one summary notice** instead (汇总通知), which says how many alerts of
each level it stands for and where to see them. A district's first sweep, or a day on which
thousands of cards fall due, would otherwise put thousands of messages in front of one person
(nobody reads them) and keep the notifier writing and sending for hours: at 20,000 open cases of
the benchmark's district one run wrote 42,468 notices for three people.

The pending alerts are marked told and read back by one statement (``_mark_told``), their desks
by one query joined to them; they are counted by the unit and desks that decide who is told, so
a run over a million alerts holds a few counters per group and per person, not a million objects.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.access import department_tree
from accounts.models import Role, RoleAssignment
from runtime.models import Task, TaskState

from .channels import configured
from .models import Alert, Level, Notification, derived_level_sql

BATCH = 5000
# Most severe first, as a summary lists them.
SUMMARY_ORDER = (Level.RED, Level.YELLOW, Level.WARNING, Level.ANOMALY)


def pending_alerts() -> QuerySet[Alert]:
    """Open alerts raised or escalated since their last notice."""
    return Alert.objects.filter(resolved_at__isnull=True, level__gt=F("notified_level"))


@dataclass
class Group:
    """The pending alerts of one unit whose cases are on the same desks: they go to the same
    people. Its level counts, and its first alerts (id, level) — as many as one person may get
    singly: a group with more makes each of its recipients due a summary anyway."""

    levels: Counter = field(default_factory=Counter)
    first: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Due:
    """What one person is due from this run: the single notices while they are few, and the
    count per level of all of them."""

    reason: str  # a summary's: the supervisor's when any of its alerts is told to them as such
    notices: list[tuple[int, int, str]] = field(default_factory=list)  # (alert id, level, reason), up to the limit
    levels: Counter = field(default_factory=Counter)

    def take(self, group: Group, reason: str, keep: int) -> None:
        if reason == Role.SUPERVISOR:
            self.reason = reason
        self.levels.update(group.levels)
        room = keep - len(self.notices)
        self.notices += [(alert_id, level, reason) for alert_id, level in group.first[:max(room, 0)]]

    @property
    def total(self) -> int:
        return sum(self.levels.values())


def summary_text(levels: Counter) -> str:
    """``本次巡查有 235 条告警新产生或升级：红牌 12 条、黄牌 80 条、预警 143 条``"""
    parts = "、".join(f"{level.label} {levels[level]} 条" for level in SUMMARY_ORDER if levels.get(level))
    return f"本次巡查有 {sum(levels.values())} 条告警新产生或升级：{parts}"


class _Recipients:
    """Who is told of an alert of a unit whose case is on some desks (cached per unit and desks)."""

    def __init__(self):
        self.tree = department_tree()
        self.holders: dict[tuple[str, int | None], set[int]] = defaultdict(set)
        for user_id, role, department_id in RoleAssignment.objects.filter(
                role__in=[Role.HANDLER, Role.SECTION_CHIEF, Role.SUPERVISOR], user__is_active=True,
        ).values_list("user_id", "role", "department_id"):
            self.holders[(role, department_id)].add(user_id)
        self.supervisors = set().union(*(ids for (role, _), ids in self.holders.items() if role == Role.SUPERVISOR))
        self.cache: dict[tuple, dict[int, str]] = {}

    def of(self, department_id: int, on_desks: frozenset[int]) -> dict[int, str]:
        key = (department_id, on_desks)
        found = self.cache.get(key)
        if found is None:
            # Those who may take a task on such a desk (the role held in that unit, above it or
            # below it — as runtime.access decides) are told; a task in one section does not
            # alarm the department's other sections.
            units = set().union(*(self.tree.around(unit) for unit in on_desks)) if on_desks \
                else set(self.tree.around(department_id))
            units.add(None)
            found = {}
            for role in (Role.HANDLER, Role.SECTION_CHIEF):
                for unit in units:
                    for user_id in self.holders.get((role, unit), ()):
                        found.setdefault(user_id, role)
            for user_id in self.supervisors:
                found[user_id] = Role.SUPERVISOR
            self.cache[key] = found
        return found


def _desks(pending: QuerySet[Alert]) -> dict[int, frozenset[int]]:
    """The units of each pending alert's case's open tasks, by one query joined to the alerts."""
    desks: dict[int, set[int]] = defaultdict(set)
    for case_id, unit in Task.objects.filter(
            case_id__in=pending.filter(case_id__isnull=False).values("case_id"), state=TaskState.OPEN,
            department_id__isnull=False).values_list("case_id", "department_id"):
        desks[case_id].add(unit)
    shared: dict[frozenset[int], frozenset[int]] = {}  # (most cases share a few sets of desks)
    return {case_id: shared.setdefault(frozenset(units), frozenset(units)) for case_id, units in desks.items()}


def _mark_told():
    """Mark every pending alert (``pending_alerts``' condition) told at its level and return them
    as (id, case, unit, level): one statement, so exactly the alerts marked are the ones told, whatever a sweep beside this run
    escalates meanwhile, and a second run at the same time waits for this one's rows and finds
    them told."""
    table, col = Alert._meta.db_table, {f.name: f.column for f in Alert._meta.concrete_fields}
    qn = connection.ops.quote_name
    level, params = derived_level_sql(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(table)} SET {qn(col['notified_level'])} = {level} "
            f"WHERE {qn(col['resolved_at'])} IS NULL AND {level} > {qn(col['notified_level'])} "
            f"RETURNING {qn(col['id'])}, {qn(col['case'])}, {qn(col['department'])}, {level}",
            [*params, *params, *params])
        while batch := cursor.fetchmany(BATCH):
            yield from batch


def alerts_notify(*, now: dt.datetime | None = None) -> int:
    """Notify the people responsible of every alert raised or escalated since its last notice
    (a summary to whoever is due more than ``SUPERVISION_DIGEST_OVER``), mark the alerts as
    notified at the level told, and send the notices through the channels after the commit.
    Returns the notices written."""
    now = now or timezone.now()
    limit = settings.SUPERVISION_DIGEST_OVER
    channel = ",".join(configured())
    with transaction.atomic():
        desks = _desks(pending_alerts())
        recipients = _Recipients()
        # the alerts grouped by who is told of them first (a few hundred groups at a million
        # alerts), then each group's counts given to its recipients: not every alert to each
        groups: dict[tuple[int, frozenset[int]], Group] = defaultdict(Group)
        nowhere = frozenset()
        for alert_id, case_id, department_id, level in _mark_told():
            group = groups[(department_id, desks.get(case_id, nowhere))]
            group.levels[level] += 1
            if len(group.first) < limit:
                group.first.append((alert_id, level))
        due: dict[int, Due] = {}
        for (department_id, on_desks), group in groups.items():
            for user_id, reason in recipients.of(department_id, on_desks).items():
                person = due.get(user_id)
                if person is None:
                    person = due[user_id] = Due(reason)
                person.take(group, reason, keep=limit)
        rows = []
        for user_id, person in due.items():
            if person.total <= limit:
                rows += [Notification(alert_id=alert_id, level=level, recipient_id=user_id, reason=reason,
                                      channel=channel, created_at=now, sent=False)
                         for alert_id, level, reason in sorted(person.notices)]
            else:
                rows.append(Notification(alert=None, level=max(person.levels), alert_count=person.total,
                                         summary=summary_text(person.levels), recipient_id=user_id,
                                         reason=person.reason, channel=channel, created_at=now, sent=False))
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    if rows:
        # Sent by a worker after the commit, never inside the request or the sweep (eager in the
        # default profile); the task retries with back-off, and every unsent notice goes again
        # after the next sweep.
        from .tasks import send_notifications

        transaction.on_commit(send_notifications.delay)
    return len(rows)
