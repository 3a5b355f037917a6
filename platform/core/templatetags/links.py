"""``{{ url|safe_link }}``: the link itself when it may be an ``href`` (core.links), else "#"."""

from django import template

from core.links import is_safe_link

register = template.Library()


@register.filter
def safe_link(url) -> str:
    return url if is_safe_link(url) else "#"
