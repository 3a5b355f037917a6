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
