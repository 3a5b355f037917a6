"""The throttles of what anyone may do without logging in (django-ratelimit), counted by the
client's address as ``core.client`` finds it behind the trusted proxies.

The public progress query: a 6-digit code must not be guessable.

Every query that names a case counts twice — for the client's address (``core.client``) and for
the case number, whoever asks — and either count over its limit stops the query before the code
is compared, with the same answer whether the number, the code or both were wrong. Limits are
settings (``PROGRESS_QUERY_RATE_PER_ADDRESS``, ``PROGRESS_QUERY_RATE_PER_CASE``; docs/operations.md).

Objections to a public notice: enough for a person, not for a script (``OBJECTION_RATE_PER_ADDRESS``).

The certificate verification page: the same, per address (``CERTIFICATE_VERIFY_RATE_PER_ADDRESS``).
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from core.client import client_address

THROTTLED_MESSAGE = "查询过于频繁，请稍后再试（同一地址或同一办件编号在一段时间内只能查询有限次数）"


def progress_query_throttled(request, number: str) -> bool:
    number = (number or "").strip().upper()
    by_address = is_ratelimited(request, group="progress-query-address", key=lambda _g, r: client_address(r),
                                rate=settings.PROGRESS_QUERY_RATE_PER_ADDRESS, increment=True)
    by_case = is_ratelimited(request, group="progress-query-case", key=lambda _g, _r: number,
                             rate=settings.PROGRESS_QUERY_RATE_PER_CASE, increment=True)
    return by_address or by_case


def objection_throttled(request) -> bool:
    return is_ratelimited(request, group="notice-objection-address", key=lambda _g, r: client_address(r),
                          rate=settings.OBJECTION_RATE_PER_ADDRESS, increment=True)


def certificate_verify_throttled(request) -> bool:
    """The public verification page: a person checking certificates, not a script walking codes."""
    return is_ratelimited(request, group="certificate-verify-address", key=lambda _g, r: client_address(r),
                          rate=settings.CERTIFICATE_VERIFY_RATE_PER_ADDRESS, increment=True)
