"""Extension points of the runtime's pages, for apps above it (supervision) that the runtime may
not import: they register here in their ``AppConfig.ready()``.

* ``case_panels``: a section of the case page. The callable gets the case and the user and
  returns ``(template name, context)`` or ``None`` (nothing to show to this user); it decides
  who may see what, so a panel shows only records the user may see.
* ``guide_panels``: a section of an item's public guide, called with the item; returns
  ``(template name, context)`` or ``None``. Public: it must show only what anyone may see.
* ``page_links``: links offered on the service hall (``where="hall"``, called with the user) and
  on an item's guide (``where="item_guide"``, called with the user and the item): a list of
  ``(label, url)``.
* ``case_marks``: the mark of urgency (预警 / 黄牌 / 红牌) of each case on the staff lists; the
  callable gets a page's case ids and answers in one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from core.registry import Registry


@dataclass(frozen=True)
class CasePanel:
    order: int
    build: Callable[..., tuple[str, dict] | None]  # (case, user) -> (template, context) | None


@dataclass(frozen=True)
class GuidePanel:
    order: int
    build: Callable[..., tuple[str, dict] | None]  # (item) -> (template, context) | None


@dataclass(frozen=True)
class PageLink:
    where: str  # "hall" or "item_guide"
    build: Callable[..., list[tuple[str, str]]]  # (user, item=None) -> [(label, url)]


case_panels: Registry[CasePanel] = Registry("办件页面板")
guide_panels: Registry[GuidePanel] = Registry("办事指南面板")
page_links: Registry[PageLink] = Registry("页面链接")


def render_case_panels(request, case) -> list[str]:
    out = []
    for _key, panel in sorted(case_panels.items(), key=lambda kv: (kv[1].order, kv[0])):
        built = panel.build(case, request.user)
        if built is not None:
            template, context = built
            out.append(render_to_string(template, {"case": case, **context}, request=request))
    return out


def render_guide_panels(request, item) -> list[str]:
    out = []
    for _key, panel in sorted(guide_panels.items(), key=lambda kv: (kv[1].order, kv[0])):
        built = panel.build(item)
        if built is not None:
            template, context = built
            out.append(render_to_string(template, {"item": item, **context}, request=request))
    return out


def links_for(where: str, user, item=None) -> list[tuple[str, str]]:
    links = []
    for _key, link in sorted(page_links.items()):
        if link.where == where:
            links.extend(link.build(user, item) if where == "item_guide" else link.build(user))
    return links


# --- Marks of urgency on the staff lists ------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    """A case's standing as supervision judges it (预警 / 黄牌 / 红牌), shown as a coloured tag."""

    label: str
    key: str  # a CSS-safe key: "warning", "yellow", "red"
    colour: str  # "#rrggbb"


# (case ids) -> {case id: Mark}, one query for a whole page of cases; cases without a mark are left out
case_marks: Registry[Callable[[list[int]], dict[int, Mark]]] = Registry("办件标记")


def marks_for(case_ids: list[int]) -> dict[int, Mark]:
    """Each case's mark from the registered judges (supervision is the one; none when no app judges)."""
    marks: dict[int, Mark] = {}
    for _key, judge in sorted(case_marks.items()):
        marks.update(judge(list(case_ids)))
    return marks
