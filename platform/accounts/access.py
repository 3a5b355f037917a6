"""The few functions that answer "may this user do that?".

Every permission check in the platform goes through here (or through an app's own ``access``
module built on these), never through ad-hoc checks in views.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.errors import AccessDenied

from .models import Department, Role, RoleAssignment, User


def _assignments(user) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_role_assignments_cache", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("department"))
        user._role_assignments_cache = cached
    return cached


def forget_roles(user) -> None:
    """Drop the per-request cache after roles change."""
    if hasattr(user, "_role_assignments_cache"):
        del user._role_assignments_cache


def roles_of(user) -> set[str]:
    roles = {a.role for a in _assignments(user)}
    if getattr(user, "is_authenticated", False) and user.kind == User.Kind.APPLICANT:
        roles.add(Role.APPLICANT)
    return roles


def has_role(user, role: str, department: Department | None = None) -> bool:
    """True if the user holds ``role`` district-wide, or in ``department`` or one of its parents.

    A role held in a department covers its sections; a district-wide role covers everything.
    With ``department=None`` any assignment of the role counts.
    """
    if role == Role.APPLICANT:
        return role in roles_of(user)
    held = [a for a in _assignments(user) if a.role == role]
    if not held:
        return False
    if department is None:
        return True
    covering = {d.pk for d in department.ancestors_and_self()}
    return any(a.department_id is None or a.department_id in covering for a in held)


def has_any_role(user, roles: Iterable[str], department: Department | None = None) -> bool:
    return any(has_role(user, r, department) for r in roles)


def require_role(user, role: str, department: Department | None = None) -> None:
    if user is None:  # system actions (demo loader, scheduled jobs) act without a person
        return
    if getattr(user, "is_superuser", False):
        return
    if not has_role(user, role, department):
        raise AccessDenied(f"此操作需要“{Role(role).label}”角色")


def is_staff_member(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == User.Kind.STAFF


def is_applicant(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == User.Kind.APPLICANT


def can_use_admin(user) -> bool:
    """Django admin is for system administrators only."""
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_superuser", False) or has_role(user, Role.SYSTEM_ADMIN))
    )


def home_url_name(user) -> str:
    """Where a user lands after login: applicants in the service hall, staff in the workbench."""
    return "runtime:hall" if is_applicant(user) else "runtime:workbench"
