"""Facts supervision records when something happens, for the sweep to compare later.

``record_step_actor`` runs when a person completes a runtime ``Task`` (the runtime's
``task_completed`` signal, inside the action's transaction): it notes whether that person held the step's
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


# The statement is compiled once per database and unit shape, with stand-in values that no row
# has, then run with the real ones: building the ORM query on every completed step cost more than
# the rest of the action (bench/bench_runtime.py).
_USER, _UNIT, _ROLE = -7_310_581_917, -7_310_581_919, "\x00stand-in-role"
_STATEMENTS: dict[tuple[str, bool], tuple[str, list]] = {}


def _statement(has_unit: bool) -> tuple[str, list]:
    from .models import StepActorFact

    key = (connection.alias, has_unit)
    if key not in _STATEMENTS:
        held_sql, held_params = held_role_query(_USER, _ROLE, _UNIT if has_unit else None) \
            .values("pk")[:1].query.sql_with_params()
        qn = connection.ops.quote_name
        columns = ", ".join(qn(StepActorFact._meta.get_field(n).column)
                            for n in ("task", "case", "actor", "role", "held_role", "recorded_at"))
        _STATEMENTS[key] = (f"INSERT INTO {qn(StepActorFact._meta.db_table)} ({columns}) "
                            f"SELECT %s, %s, %s, %s, EXISTS({held_sql}), %s WHERE 1 = 1 ON CONFLICT DO NOTHING",
                            list(held_params))
    return _STATEMENTS[key]


def record_step_actor(sender, task, **kwargs) -> None:
    """One statement (``INSERT … SELECT EXISTS(…)``): the action's own query budget stays small."""
    if task.completed_by_id is None or not task.role:
        return
    sql, held_params = _statement(task.department_id is not None)
    real = {_USER: task.completed_by_id, _UNIT: task.department_id, _ROLE: task.role}
    with connection.cursor() as cursor:
        cursor.execute(sql, [task.pk, task.case_id, task.completed_by_id, task.role,
                             *(real.get(p, p) if isinstance(p, int | str) else p for p in held_params),
                             connection.ops.adapt_datetimefield_value(task.completed_at or timezone.now())])


def connect() -> None:
    from runtime.engine import task_completed
    from runtime.models import Task

    task_completed.connect(record_step_actor, sender=Task, dispatch_uid="supervision.record_step_actor")
