"""Read-side queries about people and organisation."""

from django.db.models import QuerySet

from .models import Department, RoleAssignment


def role_assignments_for(user) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related("department").order_by("role", "department__code")


def department_tree() -> list[tuple[int, Department]]:
    """Every department with its depth, parents before children, in display order."""
    departments = list(Department.objects.order_by("sort_order", "code"))
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    ordered: list[tuple[int, Department]] = []

    def walk(parent_id, depth):
        for d in children.get(parent_id, []):
            ordered.append((depth, d))
            walk(d.pk, depth + 1)

    walk(None, 0)
    return ordered
