"""The dashboard's figures, kept by the sweep: at the end of every sweep they are counted once
(open alerts by department and level, running cases by working days left, the cards' trend, on-time
completions, working days used, pushed cases) and stored in one row, so the efficiency office's
page reads a few rows at a million cases instead of counting them at every visit; a sweep after
which nothing they read changed (a repeated sweep of the same day: ``services._figures_unchanged``)
confirms them instead. The page shows when the figures were taken; before the first sweep it
counts them itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction

ONE = 1  # the one row's key


class DashboardSnapshot(models.Model):
    """The figures of the last sweep (one row, replaced by each sweep)."""

    taken_at = models.DateTimeField("统计时间")
    on = models.DateField("统计日期")
    figures = models.JSONField("统计数字", default=dict)

    class Meta:
        verbose_name = "监察大屏统计"
        verbose_name_plural = "监察大屏统计"

    def __str__(self) -> str:
        return f"监察大屏统计 {self.taken_at:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows besides the latest cards; ``taken_at`` None: counted just now."""

    by_department: list
    external: list
    time_left: list[tuple[str, int]]
    trend: dict
    on_time: list[tuple[str, int, int]]
    days_used: list[tuple[str, float]]
    # the latest yellow and red cards and anomalies (ids, most serious and newest first)
    recent: list[int]
    taken_at: dt.datetime | None = None


def count(*, today: dt.date) -> Figures:
    """Every figure, counted from the tables (one aggregate query each)."""
    from . import selectors

    by_department, trend = selectors.alert_figures(today)
    return Figures(by_department=by_department,
                   external=selectors.external_cases_by_department(today),
                   time_left=selectors.time_left_map(today), trend=trend,
                   on_time=selectors.on_time_by_department(today),
                   days_used=selectors.working_days_used_by_item(today),
                   recent=list(selectors.recent_alerts().values_list("pk", flat=True)))


FIGURES_WORK_MEM = "64MB"


def refresh(*, now: dt.datetime, today: dt.date) -> DashboardSnapshot:
    """Count the figures and keep them as the one snapshot (the sweep's last step)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # grouping a million alerts by level and day in memory, not in sorted runs on disk
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{FIGURES_WORK_MEM}'")
        figures = count(today=today)
    data = {"by_department": [[row.department, {str(k): n for k, n in row.counts.items()}]
                              for row in figures.by_department],
            "external": [[r.department, r.open, r.overdue, r.closed] for r in figures.external],
            "time_left": [list(pair) for pair in figures.time_left], "trend": figures.trend,
            "on_time": [list(row) for row in figures.on_time], "days_used": [list(row) for row in figures.days_used],
            "recent": figures.recent}
    values = {"taken_at": now, "on": today, "figures": data}
    try:
        with transaction.atomic():
            snapshot, _ = DashboardSnapshot.objects.update_or_create(pk=ONE, defaults=values)
    except IntegrityError:  # two partitions ending at once both made the first row: the other won
        DashboardSnapshot.objects.filter(pk=ONE).update(**values)
        snapshot = DashboardSnapshot.objects.get(pk=ONE)
    return snapshot


def confirm(*, now: dt.datetime) -> None:
    """The figures stand as counted (nothing they read changed): they are this sweep's too."""
    DashboardSnapshot.objects.filter(pk=ONE).update(taken_at=now)


def cards(figures: Figures):
    """The latest cards the figures name, as they are now (one resolved since is left out)."""
    from .selectors import latest_cards

    return latest_cards(figures.recent)


def latest(*, today: dt.date) -> Figures:
    """The last sweep's figures, or (no sweep yet) the figures counted now."""
    from .selectors import DepartmentRow, ExternalRow

    snapshot = DashboardSnapshot.objects.filter(pk=ONE).first()
    if snapshot is None:
        return count(today=today)
    f = snapshot.figures
    return Figures(by_department=[DepartmentRow(name, {int(k): n for k, n in counts.items()})
                                  for name, counts in f["by_department"]],
                   external=[ExternalRow(*row) for row in f["external"]],
                   time_left=[tuple(pair) for pair in f["time_left"]], trend=f["trend"],
                   on_time=[tuple(row) for row in f["on_time"]], days_used=[tuple(row) for row in f["days_used"]],
                   recent=f.get("recent", []), taken_at=snapshot.taken_at)
