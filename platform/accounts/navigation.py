"""The system administrator's pages in the site's navigation (``core.navigation``)."""

from __future__ import annotations

from core.navigation import NavEntry, register

from .access import can_use_admin


def register_navigation() -> None:
    register("accounts.imports", NavEntry("人员与单位导入", "accounts:imports", 90, can_use_admin))
    register("accounts.admin", NavEntry("系统管理", "admin:index", 91, can_use_admin))
