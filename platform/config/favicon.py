"""``/favicon.ico``: browsers ask for it at the site's root whatever the page says; it is the
static icon base.html also names with ``<link rel=icon>``."""

from __future__ import annotations

from functools import cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control


@cache
def _icon() -> bytes | None:
    found = finders.find("favicon.ico")
    if not found:
        return None
    with open(found, "rb") as icon:
        return icon.read()


@cache_control(public=True, max_age=86400)
def favicon(request):
    icon = _icon()
    if icon is None:
        raise Http404("没有网站图标")
    return HttpResponse(icon, content_type="image/x-icon")
