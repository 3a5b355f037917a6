"""The answers to a request that went wrong: a Chinese page in the site's layout for a person, the
platform's JSON error shape (``{"code", "message", "details"}``) for the API.

Wired as ``handler400``/``403``/``404``/``500`` (config.urls) and ``CSRF_FAILURE_VIEW``; the
input guard (config.inputs) answers a refused input with :func:`refusal_response`. Each page says
what happened and what to do next. A reason is shown only when the platform wrote it in Chinese
for the person (``PermissionDenied("只有法制办审核员…")``, a refused field), never Django's
internal English.
"""

from __future__ import annotations

import re

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

from core.errors import PlatformError

from .api import CSRF_MESSAGE

_CHINESE = re.compile("[\u4e00-\u9fff]")

SERVER_ERROR_MESSAGE = "服务器内部错误，操作未完成，请稍后重试"


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def json_error(code: str, message: str, status: int, details: dict | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": details or {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _reason(exception) -> str:
    """The exception's message if the platform wrote it for a person (in Chinese), else ''."""
    text = exception.message if isinstance(exception, PlatformError) else str(exception or "")
    return text if _CHINESE.search(text) else ""


def refusal_response(request, error: PlatformError):
    """A 400 naming each refused field: the API's JSON, or the 400 page."""
    if is_api(request):
        return json_error(error.code, error.message, 400, error.details)
    return render(request, "400.html", {"reason": error.message, "details": error.details}, status=400)


def bad_request(request, exception=None):
    if isinstance(exception, PlatformError):
        return refusal_response(request, exception)
    if is_api(request):
        return json_error("bad_request", "请求有误", 400)
    return render(request, "400.html", {"reason": _reason(exception)}, status=400)


def permission_denied(request, exception=None):
    if is_api(request):
        return json_error("permission_denied", _reason(exception) or "没有权限执行此操作", 403)
    return render(request, "403.html", {"reason": _reason(exception)}, status=403)


def page_not_found(request, exception=None):
    if is_api(request):
        return json_error("not_found", "未找到", 404)
    return render(request, "404.html", {"reason": _reason(exception)}, status=404)


def server_error(request):
    """Rendered without the request's context: whatever failed (the database, a context
    processor) must not fail this page too."""
    if is_api(request):
        return json_error("server_error", SERVER_ERROR_MESSAGE, 500)
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    """An expired page (the form's token no longer matches the session), usually after logging in
    again elsewhere or leaving a page open overnight; ``reason`` is Django's English and not shown."""
    if is_api(request):
        return json_error("csrf_failed", CSRF_MESSAGE, 403)
    return render(request, "403_csrf.html", status=403)
