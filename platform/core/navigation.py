"""The site's navigation: each app registers its pages here (in ``AppConfig.ready()``) with the
predicate its view checks, and every page shows only the entries the person may open.

An entry's ``allowed`` must be the very function the view refuses by (``designer.access``,
``supervision.access``, ``accounts.access``, ``runtime.access``), so the menu and the page never
disagree: ``tests/core/test_navigation.py`` opens every entry shown to every demo role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .registry import Registry


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int
    allowed: Callable[[object], bool]  # (user, anonymous included) -> may open the page


nav_entries: Registry[NavEntry] = Registry("导航栏")


def register(key: str, entry: NavEntry) -> None:
    """Register once (``ready()`` may run again in tests)."""
    if key not in nav_entries:
        nav_entries.register(key, entry)


def entries_for(user) -> list[tuple[str, NavEntry]]:
    return sorted(((key, e) for key, e in nav_entries.items() if e.allowed(user)), key=lambda kv: (kv[1].order, kv[0]))


def navigation(request) -> dict:
    """Context processor: ``nav``, the entries the person may open, the current one marked."""
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    nav = []
    for key, entry in entries_for(user):
        url = reverse(entry.url_name)
        nav.append({"key": key, "label": entry.label, "url": url,
                    "current": path == url or (url != "/" and path.startswith(url) and len(url) > 1)})
    # the longest matching link is the current page's section
    current = max((n for n in nav if n["current"]), key=lambda n: len(n["url"]), default=None)
    for n in nav:
        n["current"] = n is current
    return {"nav": nav}
