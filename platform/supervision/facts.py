"""Facts supervision records when something happens, for the sweep to compare later.

``record_step_actor`` runs on every save of a runtime ``Task`` that records who completed it
(``post_save``, inside the action's transaction): it notes whether that person held the step's
role, in a unit covering the step's unit, at that moment. A role taken away afterwards does not
turn a correct action into an anomaly, and a role given afterwards does not excuse one.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.utils import timezone


def held_role_query(user_id: int, role: str, unit_id: int | None):
    """The user's assignments of ``role`` that reach the unit: district-wide, in the unit, up to two
    units above it or below it (district → department → section: the depth of the tree), as the
    runtime's access rules read a role."""
    from accounts.models import Department, RoleAssignment

    held = RoleAssignment.objects.filter(user_id=user_id, role=role, user__is_active=True)
    if unit_id is None:
        return held.filter(department__isnull=True)
    unit = Department.objects.filter(pk=unit_id)
    return held.filter(Q(department__isnull=True) | Q(department_id=unit_id) | Q(department__parent_id=unit_id)
                       | Q(department__parent__parent_id=unit_id) | Q(department_id__in=unit.values("parent_id"))
                       | Q(department_id__in=unit.values("parent__parent_id")))


def record_step_actor(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    """One statement (``INSERT … SELECT EXISTS(…)``): the action's own query budget stays small."""
    from runtime.models import TaskState

    from .models import StepActorFact

    if raw or instance.state != TaskState.DONE or instance.completed_by_id is None or not instance.role:
        return
    if update_fields is not None and "completed_by" not in update_fields:
        return
    held_sql, held_params = held_role_query(instance.completed_by_id, instance.role, instance.department_id) \
        .values("pk")[:1].query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(StepActorFact._meta.get_field(n).column)
                        for n in ("task", "case", "actor", "role", "held_role", "recorded_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(StepActorFact._meta.db_table)} ({columns}) "
            f"SELECT %s, %s, %s, %s, EXISTS({held_sql}), %s WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [instance.pk, instance.case_id, instance.completed_by_id, instance.role, *held_params,
             connection.ops.adapt_datetimefield_value(timezone.now())])


def connect() -> None:
    from django.db.models.signals import post_save

    from runtime.models import Task

    post_save.connect(record_step_actor, sender=Task, dispatch_uid="supervision.record_step_actor")
