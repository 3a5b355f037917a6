"""The public record of each item over the last 12 months (公开原则), shown on its guide: cases
completed, average working days used against the statutory and promised limits, the on-time
rate and satisfaction from ratings. Computed set-based for every item by the daily duty and
stored in ``ItemRecord``; the guide only reads the row. See docs/supervision.md."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth

from designer.selectors import items_in_service
from runtime.models import Case, CaseState

from .charts import item_record_svg
from .models import CaseRating, ItemRecord
from .selectors import working_days_used
from .workday_index import ensure_index

MONTHS = 12
SATISFIED_FROM = 3  # 基本满意 and above count as satisfied, as the 好差评 system counts


def window_start(today: dt.date) -> dt.date:
    """The first day of the 12 months ending today (the same day a year ago, plus one)."""
    try:
        return today.replace(year=today.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28) + dt.timedelta(days=1)


def _month_starts(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(MONTHS):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def completed_cases(today: dt.date):
    """Cases decided and completed in the window (办结: completed or delivered after acceptance)."""
    return Case.objects.filter(state__in=[CaseState.COMPLETED, CaseState.DELIVERED], accepted_on__isnull=False,
                               completed_on__gte=window_start(today), completed_on__lte=today)


@transaction.atomic
def item_records_refresh(*, today: dt.date) -> int:
    """Recompute every item in service's record as of ``today``; returns how many were written."""
    ensure_index()
    cases = completed_cases(today)
    totals = {row["item"]: row for row in cases.values("item").annotate(
        n=Count("pk"), avg=Avg(working_days_used(today)),
        on_time=Count("pk", filter=Q(completed_on__lte=F("promised_due_on"))),
        statutory=Count("pk", filter=Q(completed_on__lte=F("statutory_due_on")))).order_by()}
    ratings = {row["case__item"]: row for row in CaseRating.objects.filter(case__in=cases).values("case__item")
               .annotate(n=Count("pk"), satisfied=Count("pk", filter=Q(grade__gte=SATISFIED_FROM))).order_by()}
    monthly: dict[int, dict[dt.date, tuple[int, int]]] = {}
    for row in (cases.annotate(month=TruncMonth("completed_on")).values("item", "month")
                .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(completed_on__lte=F("promised_due_on"))))
                .order_by()):
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        monthly.setdefault(row["item"], {})[month] = (row["n"], row["on_time"])
    months = _month_starts(today)
    written = 0
    for item in items_in_service().select_related("current_version"):
        total, rated = totals.get(item.pk, {}), ratings.get(item.pk, {})
        by_month = monthly.get(item.pk, {})
        figures = [{"month": f"{m:%Y-%m}", "completed": by_month.get(m, (0, 0))[0],
                    "on_time": by_month.get(m, (0, 0))[1]} for m in months]
        ItemRecord.objects.update_or_create(item=item, defaults={
            "computed_on": today, "completed": total.get("n", 0),
            "average_days": round(total["avg"], 1) if total.get("avg") is not None else None,
            "statutory_limit_days": item.current_version.statutory_limit_days,
            "promised_limit_days": item.current_version.promised_limit_days,
            "on_time": total.get("on_time", 0), "within_statutory": total.get("statutory", 0),
            "ratings": rated.get("n", 0), "satisfied": rated.get("satisfied", 0),
            "months": figures, "chart_svg": item_record_svg(figures) if total else ""})
        written += 1
    return written
