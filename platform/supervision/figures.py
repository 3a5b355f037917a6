"""The dashboard's figures as data (``GET /api/v1/supervision/dashboard/``): the same numbers the
efficiency office's page shows, for this platform's own cases and, side by side, for the cases
departments' own systems pushed in through the inbound exchange.

The case figures are defined on stored facts only (state, due and completion dates, paused
working days), so an installation that imported another's exchange batches computes, from its
external cases, exactly what the other computes from its own (tests/supervision/test_round_trip.py).
Every figure is one aggregate query; nothing loops over cases.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, ExpressionWrapper, F, IntegerField, Q

from .models import LEVEL_KEYS, ExternalCase, Level
from .selectors import EXTERNAL_OPEN_STATES, open_alerts
from .workday_index import days_left

WINDOW_DAYS = 90  # completions counted by "on time" and "working days used"


def _sources():
    from runtime.models import Case

    # source -> (cases, the field naming the handling department, the rule kind judging their clock)
    return {"own": (Case.objects.all(), "department", "case_clock"),
            "external": (ExternalCase.objects.all(), "owner", "external_case_clock")}


def case_figures(cases, department: str, on: dt.date) -> dict:
    """By handling department: open, open past the promised due date, closed; by state; completed
    in the window ending ``on`` and how many by the promised due date; average working days used
    (acceptance to completion, less special procedures) by item code."""
    running = Q(state__in=EXTERNAL_OPEN_STATES)
    by_department = {
        r["code"]: {"name": r["name"], "open": r["open"], "overdue": r["overdue"], "closed": r["closed"]}
        for r in cases.values(code=F(f"{department}__code"), name=F(f"{department}__name"))
        .annotate(open=Count("pk", filter=running), overdue=Count("pk", filter=running & Q(promised_due_on__lt=on)),
                  closed=Count("pk", filter=~running)).order_by("code")}
    by_state = dict(cases.values_list("state").annotate(n=Count("pk")).order_by("state"))
    window = Q(completed_on__gt=on - dt.timedelta(days=WINDOW_DAYS), completed_on__lte=on)
    on_time = {
        code: {"completed": total, "on_time": in_time}
        for code, total, in_time in cases.filter(window, promised_due_on__isnull=False)
        .values_list(f"{department}__code")
        .annotate(total=Count("pk"), in_time=Count("pk", filter=Q(completed_on__lte=F("promised_due_on"))))
        .order_by(f"{department}__code")}
    used = ExpressionWrapper(days_left("completed_on", on) - days_left("accepted_on", on) - F("paused_days"),
                             output_field=IntegerField())
    days_used = {
        code: {"completed": n, "average": round(avg, 2) if avg is not None else None}
        for code, n, avg in cases.filter(window, accepted_on__isnull=False).annotate(sv_used=used)
        .values_list("item__code").annotate(n=Count("pk"), avg=Avg("sv_used")).order_by("item__code")}
    return {"by_department": by_department, "by_state": by_state, "on_time": on_time, "days_used": days_used}


def alert_figures(*, kind: str | None = None) -> dict:
    """Open alerts by responsible department and level (of one rule kind when given)."""
    alerts = open_alerts() if kind is None else open_alerts().filter(kind=kind)
    out: dict[str, dict[str, int]] = {}
    for code, level, n in (alerts.values_list("department__code", "level").annotate(n=Count("pk"))
                           .order_by("department__code", "level")):
        out.setdefault(code, dict.fromkeys((LEVEL_KEYS[v] for v in Level.values), 0))[LEVEL_KEYS[level]] = n
    return out


def dashboard_figures(*, on: dt.date) -> dict:
    figures = {"on": on.isoformat(), "window_days": WINDOW_DAYS,
               "cases": {name: {**case_figures(cases, department, on), "clock_alerts": alert_figures(kind=kind)}
                         for name, (cases, department, kind) in _sources().items()},
               "alerts": alert_figures()}
    return figures
