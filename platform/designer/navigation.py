"""The designer's pages in the site's navigation (``core.navigation``), each with its view's check
(``designer.access``)."""

from __future__ import annotations

from core.navigation import NavEntry, register

from .access import can_review, can_use_designer


def _reviewer(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and can_review(user)


def _designer(user) -> bool:
    return getattr(user, "is_authenticated", False) and can_use_designer(user)


def register_navigation() -> None:
    register("designer.items", NavEntry("事项设计", "designer:items", 50, _designer))
    register("designer.review", NavEntry("审核队列", "designer:review-queue", 51, _reviewer))
    register("designer.catalogue", NavEntry("目录导入导出", "designer:catalogue", 52, _designer))
    register("designer.certificate_types", NavEntry("证照类型", "designer:certificate-types", 53, _designer))
    register("designer.themes", NavEntry("服务主题", "designer:service-themes", 54, _designer))
    register("designer.returns", NavEntry("上报材料", "designer:returns", 55, _reviewer))
