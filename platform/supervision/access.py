"""Who may use supervision's pages: the few access functions every view goes through."""

from __future__ import annotations

from accounts.access import has_role, is_staff_member
from accounts.models import Role
from core.errors import AccessDenied


def is_supervisor(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


def require_supervisor(user) -> None:
    if not is_supervisor(user):
        raise AccessDenied("只有效能办监察员可以查看电子监察")


def require_staff(user) -> None:
    if not is_staff_member(user):
        raise AccessDenied("只有工作人员可以查看监察通知")


def may_push_exchange(user, department) -> bool:
    """The inbound exchange: a staff member holding any role in the pushing department (or in one
    of its sections), or the system administrator."""
    if not is_staff_member(user):
        return False
    if getattr(user, "is_superuser", False) or has_role(user, Role.SYSTEM_ADMIN):
        return True
    from accounts.models import RoleAssignment

    return any(department.pk in {d.pk for d in a.department.ancestors_and_self()}
               for a in RoleAssignment.objects.filter(user=user, department__isnull=False).select_related("department"))


def require_exchange_pusher(user, department) -> None:
    if not may_push_exchange(user, department):
        raise AccessDenied(f"只有{department.name}的工作人员或系统管理员可以推送该单位的交换数据")
