"""The runtime's pages in the site's navigation (``core.navigation``), each with its view's check."""

from __future__ import annotations

from accounts.access import is_staff_member
from core.navigation import NavEntry, register

from .access import may_take_in_at_window


def _not_staff(user) -> bool:
    return not is_staff_member(user)  # the hall sends staff to their workbench


def register_navigation() -> None:
    register("runtime.hall", NavEntry("办事大厅", "runtime:hall", 10, _not_staff))
    register("runtime.workbench", NavEntry("工作台", "runtime:workbench", 10, is_staff_member))
    register("runtime.intake", NavEntry("窗口收件", "runtime:intake", 20, may_take_in_at_window))
    register("runtime.notices", NavEntry("公示公告", "runtime:notices", 30, _not_staff))
    register("runtime.progress", NavEntry("办件查询", "runtime:progress", 31, _not_staff))
