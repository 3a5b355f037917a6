"""The running clocks of the runtime's cases and steps, read where they live: the runtime's own
rows, each deadline joined to its working-day ordinal (``WorkdayOrdinal``) by the database.

These are read-only views of ``runtime_case`` and ``runtime_task`` (unmanaged models: no table of
their own, no migration touches the runtime's tables) whose due dates are related to the ordinal
table by date (``ForeignObject``), so ``due.ordinal - today's ordinal`` — the working days left —
is one hash join for a million rows, with nothing copied first. Supervision keeps no copy of these
clocks: a case's clock is judged as the runtime left it at the moment of the sweep, and the first
sweep of a million cases writes only its alerts (docs/supervision.md, "The sweep").

The small clocks (special procedures, orders, complaints, pushed cases) stay in ``ClockRow``.
"""

from __future__ import annotations

from django.db import models

from .models import WorkdayOrdinal


def _ordinal_of(date_field: str) -> models.ForeignObject:
    """The ordinal row of the day in ``date_field`` (none outside the table: days left is null)."""
    return models.ForeignObject(WorkdayOrdinal, on_delete=models.DO_NOTHING, from_fields=[date_field],
                                to_fields=["day"], related_name="+", null=True)


class CaseClockSource(models.Model):
    """A runtime case, as the case clock reads it (the columns of ``runtime.Case`` it needs)."""

    state = models.CharField(max_length=20)
    department_id = models.BigIntegerField()
    version_id = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    accepted_on = models.DateField(null=True)
    paused_since = models.DateField(null=True)
    updated_at = models.DateTimeField()
    limit_days = models.IntegerField(db_column="promised_limit_days")
    statutory_limit_days = models.IntegerField()
    promised_due_on = models.DateField(null=True)
    statutory_due_on = models.DateField(null=True)
    promised_ord = _ordinal_of("promised_due_on")
    statutory_ord = _ordinal_of("statutory_due_on")

    class Meta:
        managed = False
        db_table = "runtime_case"
        default_permissions = ()
        verbose_name = verbose_name_plural = "办件时钟（办件表的只读视图）"

    def __str__(self) -> str:
        return f"办件时钟 {self.pk}"


class TaskClockSource(models.Model):
    """A runtime step, as the step clocks read it, with its case."""

    case = models.ForeignKey(CaseClockSource, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    department_id = models.BigIntegerField(null=True)
    step_type = models.CharField(max_length=40)
    state = models.CharField(max_length=16)
    limit_days = models.IntegerField()
    due_on = models.DateField(null=True)
    due_ord = _ordinal_of("due_on")

    class Meta:
        managed = False
        db_table = "runtime_task"
        default_permissions = ()
        verbose_name = verbose_name_plural = "环节时钟（环节表的只读视图）"

    def __str__(self) -> str:
        return f"环节时钟 {self.pk}"
