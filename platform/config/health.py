"""``/healthz`` for the load balancer and monitoring: the database, the cache and the broker.

Answered by a middleware placed first, so neither the host check (a probe often uses the
machine's address) nor the HTTPS redirect (a probe talks to the web process directly) stands in
its way. The answer is JSON, 200 when every part answers and 503 otherwise, and names each part
with ``ok`` or the kind of failure only: never an address, a user name or a password.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

PATH = "/healthz"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    from django.core.cache import cache

    key, value = f"healthz:{uuid.uuid4().hex}", "1"
    cache.set(key, value, timeout=10)
    ok = cache.get(key) == value
    cache.delete(key)
    return "ok" if ok else "error: 读写不一致"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok: eager"  # the default profile has no broker: tasks run in the process
    from celery import current_app

    with current_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        client = getattr(conn.default_channel, "client", None)  # Redis: a round trip, not just a socket
        if client is not None:
            client.ping()
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def health() -> tuple[bool, dict]:
    started = time.perf_counter()
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure of that part; the others are still reported
            results[name] = f"error: {type(exc).__name__}"
    healthy = all(value.startswith("ok") for value in results.values())
    return healthy, {"status": "ok" if healthy else "error", "checks": results,
                     "duration_ms": round((time.perf_counter() - started) * 1000, 1)}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") != PATH:
            return self.get_response(request)
        healthy, body = health()
        response = JsonResponse(body, status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        return response
