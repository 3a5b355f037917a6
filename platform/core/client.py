"""The client's address, as every throttle counts it (login lockout, progress query).

Behind a reverse proxy every request comes from the proxy, and the client's address is in
``X-Forwarded-For``, where any client can also write whatever it likes. Only the entries the
trusted proxies appended are believed: with ``TRUSTED_PROXY_COUNT`` = n proxies in front of the
platform, the client is the n-th address from the right. With 0 (no proxy), ``REMOTE_ADDR``.
"""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    # the last proxy is REMOTE_ADDR; each proxy before it appended the address it saw
    chain = forwarded + [remote]
    return chain[-proxies - 1] if len(chain) > proxies else chain[0]
