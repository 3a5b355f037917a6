"""Typed domain errors shared by every app.

Services raise these; ``config.api.exception_handler`` maps them to HTTP in one place, and page
views show ``message`` to the user. ``details`` maps a field path to a list of messages.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest, PermissionDenied


class PlatformError(Exception):
    code = "error"
    http_status = 400
    default_message = "操作失败"

    def __init__(self, message: str | None = None, *, details: dict | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)

    def said(self) -> str:
        """The message and each detail's message once, joined: what a page or a command tells the
        person (the details often repeat the message itself: "差评请写明不满意的原因")."""
        return "；".join(dict.fromkeys([self.message, *(m for ms in self.details.values() for m in ms)]))


class InvalidInput(PlatformError):
    code = "invalid"
    default_message = "提交的数据有误"


class AccessDenied(PlatformError, PermissionDenied):
    """Also Django's ``PermissionDenied``: a page view lets it rise and the person gets the 403
    page with its message (``config.error_pages``); the API answers it in the platform's shape."""

    code = "permission_denied"
    http_status = 403
    default_message = "没有权限执行此操作"


class Conflict(PlatformError):
    code = "conflict"
    http_status = 409
    default_message = "操作与当前状态冲突，请刷新后重试"


class RefusedInput(InvalidInput, BadRequest):
    """Input refused before any view reads it: a NUL byte in a text, a number that is not finite,
    JSON nested too deep or of the wrong shape (``core.inputs``). Also Django's ``BadRequest``, so
    that wherever it is raised a page request gets the 400 page and an API request the JSON body."""

    code = "invalid"
    default_message = "提交的数据有误"
