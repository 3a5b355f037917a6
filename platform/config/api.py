"""The API's one error shape: ``{"code", "message", "details"}``.

Every app raises typed domain errors (subclasses of :class:`core.errors.PlatformError`) or
Django/DRF validation errors; this handler turns all of them into the same body so clients
handle one format. ``details`` maps a field path to its messages.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import PlatformError

CSRF_MESSAGE = "页面已过期（CSRF 校验失败），请刷新页面后重试"


def _django_validation_details(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    if isinstance(exc, PlatformError):
        return Response(
            {"code": exc.code, "message": str(exc.message), "details": exc.details},
            status=exc.http_status,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"code": "invalid", "message": "提交的数据有误", "details": _django_validation_details(exc)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"code": "too_large", "message": "提交的数据过大", "details": {}},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        # DRF's session authentication checks CSRF itself, in English; answered as the pages' check is
        return Response({"code": "csrf_failed", "message": CSRF_MESSAGE, "details": {}},
                        status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied("没有权限执行此操作")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"code": "invalid", "message": "提交的数据有误", "details": details}
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": code, "message": str(detail), "details": {}}
    return response
