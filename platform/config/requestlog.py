"""One log line per request (``platform.request``): method, path, status, duration, user, client
address (core.client) and the case number when the URL names one (``<number>``)."""

from __future__ import annotations

import logging
import time
import uuid

from core.client import client_address

from .logs import bind, context

log = logging.getLogger("platform.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = bind(request_id=request.headers.get("X-Request-Id") or uuid.uuid4().hex)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            self._log(request, response, started)
        finally:
            context.reset(token)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        bind(case=view_kwargs.get("number"))  # every line logged while serving names the case

    def _log(self, request, response, started) -> None:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        log.info("%s %s %s", request.method, request.path, response.status_code, extra={
            **(context.get() or {}),
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user": user.get_username() if user is not None and user.is_authenticated else None,
            "client": client_address(request), "view": match.view_name if match else None,
            "case": match.kwargs.get("number") if match else None,
        })
