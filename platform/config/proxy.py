"""The client's address behind the reverse proxy (docs/operations.md, "HTTPS behind a reverse proxy").

Behind nginx every connection comes from the proxy. The proxy writes the client's address into a
header (``X-Real-IP $remote_addr`` in docs/deploy/nginx.conf, replacing whatever the client sent),
named by ``settings.PROXY_CLIENT_IP_HEADER``. Only that header is trusted, and only when it holds
an address; otherwise the peer address is the client's. Login throttling (django-axes,
``AXES_CLIENT_IP_CALLABLE``) and the request log use this one function.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    header = getattr(settings, "PROXY_CLIENT_IP_HEADER", "")
    if header:
        value = request.headers.get(header, "").strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")
