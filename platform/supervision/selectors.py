"""Read-side queries of supervision: the dashboard's figures, the inbox, a case's alerts.

Every figure is one aggregate query (no loop over cases); ``tests/supervision/test_pages.py`` pins
the query counts of the dashboard and the inbox.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import Department

from .access import units_answered_for
from .models import Alert, Level, Notification, SupervisionOrder, derived_escalation_day
from .workday_index import days_left

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Buckets of the time-left map: (key, label, lower bound inclusive, upper bound inclusive).
TIME_LEFT_BUCKETS = [
    ("over_4", "超期4个工作日以上", None, -4),
    ("over_1_3", "超期1–3个工作日", -3, -1),
    ("left_0_2", "剩余0–2个工作日", 0, 2),
    ("left_3_5", "剩余3–5个工作日", 3, 5),
    ("left_6", "剩余6个工作日以上", 6, None),
]


def open_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(resolved_at__isnull=True)


@dataclass
class DepartmentRow:
    department: str
    counts: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def counts_by_department() -> list[DepartmentRow]:
    return alert_figures(timezone.localdate())[0]


def time_left_map(today: dt.date) -> list[tuple[str, int]]:
    """Running cases (accepted, clock not stopped) by working days left to the promised limit."""
    from .kinds import CaseClock

    whens = []
    for key, _label, lo, hi in TIME_LEFT_BUCKETS:
        q = Q()
        if lo is not None:
            q &= Q(sv_left__gte=lo)
        if hi is not None:
            q &= Q(sv_left__lte=hi)
        whens.append(When(q, then=Value(key)))
    counts = dict(
        CaseClock().rows(today)
        .annotate(bucket=Case(*whens, default=Value("unknown"))).values_list("bucket").annotate(n=Count("pk"))
        .order_by())
    return [(label, counts.get(key, 0)) for key, label, _lo, _hi in TIME_LEFT_BUCKETS]


def card_trend(today: dt.date, days: int = 30) -> dict[str, list[int]]:
    """Yellow and red cards given per day over the last ``days`` days (raised at that level, or
    escalated to it that day)."""
    return alert_figures(today, days)[1]


def alert_figures(today: dt.date, days: int = 30) -> tuple[list[DepartmentRow], dict[str, list[int]]]:
    """Open alerts by department and level, and the cards' trend (``card_trend``), from one grouped
    pass over the alerts: the sweep counts both at its end, and at a million alerts each pass is a
    read of the whole table."""
    start = today - dt.timedelta(days=days - 1)
    cards = [Level.YELLOW, Level.RED]
    raised = Q(raised_on__gte=start, first_level__in=cards)
    escalated = Q(sv_escalated_on__gte=start, level__in=cards) & ~Q(first_level=F("level"))
    tallies = (Alert.objects.annotate(sv_escalated_on=derived_escalation_day())
               .filter(Q(resolved_at__isnull=True) | raised | escalated)
               .annotate(sv_open=Case(When(resolved_at__isnull=True, then=Value(True)), default=Value(False),
                                      output_field=BooleanField()),
                         sv_raised=Case(When(raised, then=F("raised_on")), default=None, output_field=DateField()),
                         sv_escalated=Case(When(escalated, then=F("sv_escalated_on")), default=None,
                                           output_field=DateField()))
               .values_list("department_id", "level", "first_level", "sv_open", "sv_raised", "sv_escalated")
               .annotate(n=Count("pk")).order_by())
    by_department: dict[int, dict[int, int]] = defaultdict(lambda: dict.fromkeys(Level.values, 0))
    series = {Level.YELLOW: [0] * days, Level.RED: [0] * days}
    for department, level, first_level, is_open, raised_on, escalated_on, n in tallies:
        if is_open:
            by_department[department][level] += n
        for day, card in ((raised_on, first_level), (escalated_on, level)):
            if day is not None and 0 <= (day - start).days < days:
                series[card][(day - start).days] += n
    rows: dict[str, dict[int, int]] = defaultdict(lambda: dict.fromkeys(Level.values, 0))
    names = dict(Department.objects.filter(pk__in=list(by_department)).values_list("pk", "name"))
    for department, counts in by_department.items():  # by name, as the page lists them
        if department not in names:  # (a department since removed: an alert keeps no reference)
            continue
        for level, n in counts.items():
            rows[names[department]][level] += n
    trend = {"labels": [(start + dt.timedelta(days=i)).strftime("%m-%d") for i in range(days)],
             "yellow": series[Level.YELLOW], "red": series[Level.RED]}
    return sorted((DepartmentRow(name, counts) for name, counts in rows.items()), key=lambda r: -r.total), trend


def on_time_by_department(today: dt.date, days: int = 90) -> list[tuple[str, int, int]]:
    """(department, completed, completed within the promised limit) over the last ``days`` days."""
    from runtime.models import Case as RuntimeCase

    rows = (RuntimeCase.objects.filter(completed_on__gte=today - dt.timedelta(days=days),
                                       promised_due_on__isnull=False)
            .values_list("department__name")
            .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(completed_on__lte=F("promised_due_on"))))
            .order_by("department__name"))
    return list(rows)


def working_days_used(today: dt.date) -> ExpressionWrapper:
    """An expression: a completed case's working days from acceptance to completion, less its
    special procedures (the one formula of the dashboard and the guides' public record)."""
    return ExpressionWrapper(days_left("completed_on", today) - days_left("accepted_on", today) - F("paused_days"),
                             output_field=IntegerField())


def working_days_used_by_item(today: dt.date, days: int = 90) -> list[tuple[str, float]]:
    """Average working days used (acceptance to completion, less special procedures) per item."""
    from runtime.models import Case as RuntimeCase

    rows = (RuntimeCase.objects.filter(completed_on__gte=today - dt.timedelta(days=days), accepted_on__isnull=False)
            .annotate(sv_used=working_days_used(today))
            .values_list("item__name").annotate(avg=Avg("sv_used")).order_by("item__name"))
    # an average is null only when a date lies outside the working-day index: leave that item out
    return [(name, round(avg, 1)) for name, avg in rows if avg is not None]


def alerts_of_case(case) -> QuerySet[Alert]:
    return Alert.objects.filter(case=case).order_by("resolved_at", "-level", "-raised_at")


def orders_of_case(case) -> QuerySet[SupervisionOrder]:
    return SupervisionOrder.objects.filter(case=case).select_related("department", "issued_by", "replied_by")


def with_external_case(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Alerts about cases pushed in by departments' own systems carry the case's number and item
    name (``external_number``, ``external_item``; the alert has no runtime case)."""
    from django.db.models import Case as When_
    from django.db.models import CharField, OuterRef, Subquery, When

    from .models import ExternalCase, Subject

    def pushed(field: str):
        return When_(When(subject_type=Subject.EXTERNAL_CASE, then=Subquery(
            ExternalCase.objects.filter(pk=OuterRef("subject_id")).values(field)[:1])),
            default=None, output_field=CharField())

    return alerts.annotate(external_number=pushed("number"), external_item=pushed("unit_name"))


def recent_alerts(limit: int = 50) -> QuerySet[Alert]:
    """The most serious and newest open cards (a sort of the open alerts: the sweep picks them once
    for the dashboard, ``dashboard_snapshot``)."""
    return open_alerts().filter(level__gte=Level.YELLOW).order_by("-level", "-raised_on", "-pk")[:limit]


def latest_cards(ids: list[int]) -> QuerySet[Alert]:
    """The alerts ``ids`` still open, with what the dashboard shows of them, in the cards' order."""
    return with_external_case(open_alerts().filter(pk__in=ids)).select_related("case", "department").order_by(
        "-level", "-raised_on", "-pk")


# How long a summary notice stays in the inbox once read (a single notice goes with its alert).
SUMMARY_KEPT = dt.timedelta(days=7)


def notifications_for(user, *, now: dt.datetime | None = None) -> QuerySet[Notification]:
    """My notices of open alerts, and my summary notices (``alert_notices``) while unread or
    read within ``SUMMARY_KEPT``, unread first."""
    since = (now or timezone.now()) - SUMMARY_KEPT
    summaries = Q(alert__isnull=True) & (Q(read_at__isnull=True) | Q(read_at__gte=since))
    singles = Q(alert__isnull=False, alert__resolved_at__isnull=True)  # (a summary has no alert to be open)
    return (Notification.objects.filter(summaries | singles, recipient=user)
            .select_related("alert", "alert__case", "alert__department").order_by("read_at", "-created_at"))


def orders_for(user) -> QuerySet[SupervisionOrder]:
    """Open orders addressed to a unit the user answers for (``access.units_answered_for``)."""
    orders = SupervisionOrder.objects.filter(state=SupervisionOrder.State.OPEN).select_related("case", "department")
    covered = units_answered_for(user)
    return orders if covered is None else orders.filter(department_id__in=covered)


def now_local_date() -> dt.date:
    return timezone.localdate()


def complaints_all() -> QuerySet:
    from .models import Complaint

    return Complaint.objects.select_related("case", "department").order_by("state", "-filed_at")


def complaints_to_answer(user) -> QuerySet:
    """Assigned complaints of a unit the user answers for (``access.units_answered_for``)."""
    from .models import Complaint

    complaints = Complaint.objects.filter(state=Complaint.State.ASSIGNED).select_related("case", "department")
    covered = units_answered_for(user)
    return complaints if covered is None else complaints.filter(department_id__in=covered)


def complaints_of(user) -> QuerySet:
    from .models import Complaint

    return Complaint.objects.filter(complainant=user).select_related("case", "department")


def cases_to_rate(user) -> QuerySet:
    """The user's completed cases not rated yet."""
    from runtime.models import Case as RuntimeCase

    return (RuntimeCase.objects.filter(applicant__user=user, state__in=["completed", "delivered"],
                                       supervision_rating__isnull=True).order_by("-completed_on", "-pk"))


def ratings_of(user) -> QuerySet:
    from .models import CaseRating

    return CaseRating.objects.filter(rated_by=user).select_related("case", "rectification").order_by("-rated_at")


EXTERNAL_OPEN_STATES = ("received", "correcting", "in_progress", "suspended")


@dataclass
class ExternalRow:
    department: str
    open: int
    overdue: int
    closed: int


def external_cases_by_department(today: dt.date) -> list[ExternalRow]:
    """Cases pushed in through the inbound exchange, by the department that handles them: open,
    open past their promised due date (as the source system computed it), and closed. One query."""
    from .models import ExternalCase

    running = Q(state__in=EXTERNAL_OPEN_STATES)
    rows = (ExternalCase.objects.values("owner__name")
            .annotate(open=Count("pk", filter=running),
                      overdue=Count("pk", filter=running & Q(promised_due_on__lt=today)),
                      closed=Count("pk", filter=~running))
            .order_by("owner__name"))
    return [ExternalRow(r["owner__name"], r["open"], r["overdue"], r["closed"]) for r in rows]
