"""Who may open the electronic archive: archivists (and system administrators)."""

from __future__ import annotations

from accounts.access import has_any_role
from accounts.models import Role
from core.errors import AccessDenied


def require_archivist(user) -> None:
    if not has_any_role(user, (Role.ARCHIVIST, Role.SYSTEM_ADMIN)):
        raise AccessDenied("只有档案管理员可以查看电子档案")
