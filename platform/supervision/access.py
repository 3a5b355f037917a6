"""Who may use supervision's pages and answer its orders and complaints: supervision's questions,
composed from ``accounts.access`` (roles and the department tree are read nowhere else)."""

from __future__ import annotations

from accounts.access import has_role, holds_any_role_within, is_staff_member, units_around
from accounts.models import Role
from core.errors import AccessDenied

# Those who answer a unit's orders and complaints: its handlers, section chiefs and leaders.
ANSWERING_ROLES = frozenset({Role.HANDLER, Role.SECTION_CHIEF, Role.LEADER})


def is_supervisor(user) -> bool:
    return has_role(user, Role.SUPERVISOR)


def require_supervisor(user) -> None:
    if not is_supervisor(user):
        raise AccessDenied("只有效能办监察员可以查看电子监察")


def require_staff(user) -> None:
    if not is_staff_member(user):
        raise AccessDenied("只有工作人员可以查看监察通知")


def units_answered_for(user) -> set[int] | None:
    """Units whose orders and complaints the user may see and answer: where they hold an answering
    role, the units under those and the units above them (an order to a department reaches its
    sections' staff). ``None`` means every unit (a district-wide role)."""
    if not is_staff_member(user):
        return set()
    return units_around(user, ANSWERING_ROLES)


def may_answer_for(user, department_id: int | None) -> bool:
    if department_id is None:
        return False
    units = units_answered_for(user)
    return units is None or department_id in units


def may_push_exchange(user, department) -> bool:
    """The inbound exchange: a staff member holding any role in the pushing department (or in one
    of its sections), or the system administrator."""
    if not is_staff_member(user):
        return False
    if getattr(user, "is_superuser", False) or has_role(user, Role.SYSTEM_ADMIN):
        return True
    return holds_any_role_within(user, department)


def require_exchange_pusher(user, department) -> None:
    if not may_push_exchange(user, department):
        raise AccessDenied(f"只有{department.name}的工作人员或系统管理员可以推送该单位的交换数据")
