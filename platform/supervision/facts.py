"""Facts supervision records when something happens, for the sweep to compare later.

``record_step_actor`` runs on every save of a runtime ``Task`` that records who completed it
(``post_save``, inside the action's transaction): it notes whether that person held the step's
role, in a unit covering the step's unit, at that moment. A role taken away afterwards does not
turn a correct action into an anomaly, and a role given afterwards does not excuse one.
"""

from __future__ import annotations

from django.utils import timezone


def _covering_units(unit_id: int) -> set[int]:
    """The unit, every unit above it and every unit below it (where a role reaches the unit)."""
    from accounts.models import Department

    parents = dict(Department.objects.values_list("pk", "parent_id"))
    out, up = set(), unit_id
    while up is not None and up not in out:
        out.add(up)
        up = parents.get(up)
    frontier = [unit_id]
    while frontier:
        parent = frontier.pop()
        for pk, above in parents.items():
            if above == parent and pk not in out:
                out.add(pk)
                frontier.append(pk)
    return out


def held_role(user_id: int, role: str, unit_id: int | None) -> bool:
    from accounts.models import RoleAssignment

    held = RoleAssignment.objects.filter(user_id=user_id, role=role, user__is_active=True)
    if unit_id is None:
        return held.filter(department__isnull=True).exists()
    return (held.filter(department__isnull=True).exists()
            or held.filter(department_id__in=_covering_units(unit_id)).exists())


def record_step_actor(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    from runtime.models import TaskState

    from .models import StepActorFact

    if raw or instance.state != TaskState.DONE or instance.completed_by_id is None or not instance.role:
        return
    if update_fields is not None and "completed_by" not in update_fields:
        return
    StepActorFact.objects.update_or_create(task_id=instance.pk, defaults={
        "case_id": instance.case_id, "actor_id": instance.completed_by_id, "role": instance.role,
        "held_role": held_role(instance.completed_by_id, instance.role, instance.department_id),
        "recorded_at": timezone.now()})


def connect() -> None:
    from django.db.models.signals import post_save

    from runtime.models import Task

    post_save.connect(record_step_actor, sender=Task, dispatch_uid="supervision.record_step_actor")
