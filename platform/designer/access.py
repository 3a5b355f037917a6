"""Who may do what with approval items. Every designer permission check goes through here.

* A department item editor (``item_editor``) creates items for, and edits the drafts of, its
  own department (a role held on a department covers that department).
* The legal office reviewer (``legal_reviewer``) sees every item, approves and publishes, sends
  back, retires, and imports bundles. Only that role does: a system administrator (a Django
  superuser) maintains the platform but never publishes or retires an item in the legal office's
  place — unless they are also granted the role, which leaves a record in the role history.
* ``actor=None`` is the system itself (demo loader, ``import_item``), as in ``accounts``.
"""

from __future__ import annotations

from accounts.access import has_role
from accounts.models import Department, Role
from core.errors import AccessDenied


def _is_system(user) -> bool:
    return user is None or getattr(user, "is_superuser", False)


def can_edit_for(user, department: Department) -> bool:
    return _is_system(user) or has_role(user, Role.ITEM_EDITOR, department)


def can_review(user) -> bool:
    return user is None or has_role(user, Role.LEGAL_REVIEWER)


def can_see_all_items(user) -> bool:
    return _is_system(user) or can_review(user) or has_role(user, Role.SYSTEM_ADMIN)


def can_use_designer(user) -> bool:
    return can_see_all_items(user) or has_role(user, Role.ITEM_EDITOR)


def can_view_item(user, item) -> bool:
    return can_see_all_items(user) or has_role(user, Role.ITEM_EDITOR, item.department)


def require_editor_for(user, department: Department) -> None:
    if not can_edit_for(user, department):
        raise AccessDenied(f"只有{department.name}的事项编辑可以编辑本部门的事项")


def require_reviewer(user) -> None:
    if not can_review(user):
        raise AccessDenied("只有法制办审核员可以审核、发布或停用事项")


def require_view_item(user, item) -> None:
    if not can_view_item(user, item):
        raise AccessDenied("没有权限查看此事项")


def require_designer(user) -> None:
    if not can_use_designer(user):
        raise AccessDenied("事项设计仅对部门事项编辑和法制办审核员开放")
