"""``{{ days|time_limit }}``: a limit in working days as the hall words it (runtime.wording)."""

from django import template

from runtime.wording import time_limit as _time_limit

register = template.Library()


@register.filter
def time_limit(days) -> str:
    return _time_limit(days)
