"""Supervision's pages in the site's navigation (``core.navigation``), each with its view's check
(``supervision.access``): the efficiency office's pages for supervisors only, the inbox for staff,
complaints and ratings for the public and applicants."""

from __future__ import annotations

from accounts.access import is_applicant, is_staff_member
from core.navigation import NavEntry, register

from .access import is_supervisor


def _supervisor(user) -> bool:
    return getattr(user, "is_authenticated", False) and is_supervisor(user)


def _not_staff(user) -> bool:
    return not is_staff_member(user)


def _previewer(user) -> bool:
    from .preview import may_preview

    return may_preview(user)


def register_navigation() -> None:
    register("supervision.dashboard", NavEntry("监察大屏", "supervision:dashboard", 60, _supervisor))
    register("supervision.complaints", NavEntry("投诉处理", "supervision:complaints", 61, _supervisor))
    register("supervision.performance", NavEntry("绩效测评", "supervision:performance", 62, _supervisor))
    register("supervision.themes", NavEntry("专题监察", "supervision:themes", 64, _supervisor))
    register("supervision.joint", NavEntry("联审监督", "supervision:joint", 65, _supervisor))
    register("supervision.preview", NavEntry("规则影响预览", "supervision:preview_defaults", 66, _previewer))
    register("supervision.inbox", NavEntry("监察通知与督办", "supervision:inbox", 63, is_staff_member))
    register("supervision.complaint_new", NavEntry("咨询投诉", "supervision:complaint_new", 70, _not_staff))
    register("supervision.mine", NavEntry("我的投诉与评价", "supervision:complaints_mine", 71, is_applicant))
