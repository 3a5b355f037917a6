"""A hard ceiling on request bodies, so a huge upload is refused before it is read or stored.

Two gates, both at ``UPLOAD_MAX_REQUEST_MB`` (settings; docs/operations.md):

* :class:`RequestSizeLimitMiddleware` answers 413 when the declared ``Content-Length`` is over
  the ceiling, before anything reads the body; and parses a form body itself, so that
  :class:`LimitedUploadHandler` stopping an upload becomes the same 413 rather than an error.
* :class:`LimitedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) counts the file bytes as they
  stream in and stops at the ceiling, whatever the header said; Django keeps at most
  ``FILE_UPLOAD_MAX_MEMORY_SIZE`` of a file in memory and streams the rest to a temporary file.

The item's own size limit per material (``max_size_mb``) is checked afterwards by the runtime.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render

from .error_pages import is_api, json_error


class UploadTooLarge(Exception):
    pass


def ceiling() -> int:
    return settings.UPLOAD_MAX_REQUEST_MB * 1024 * 1024


def too_large_message() -> str:
    return f"提交的内容超过 {settings.UPLOAD_MAX_REQUEST_MB} MB 的上限，未被接收。请压缩或拆分文件后重新提交。"


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0  # file bytes of this request so far, all files together

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > ceiling():
            raise UploadTooLarge
        return raw_data

    def file_complete(self, file_size):
        return None


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.declared_too_large(request):
            return self.refuse(request)
        if request.method == "POST" and request.content_type in ("multipart/form-data",
                                                                 "application/x-www-form-urlencoded"):
            try:
                request.POST  # noqa: B018 - parse here, where a stopped upload can be answered
            except UploadTooLarge:
                return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def declared_too_large(request) -> bool:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0) > ceiling()
        except ValueError:
            return False

    @staticmethod
    def refuse(request):
        message = too_large_message()
        if is_api(request):
            response = json_error("too_large", message, 413)
        else:
            response = render(request, "413.html", {"message": message}, status=413)
        response["Connection"] = "close"  # the rest of the body is never read
        return response
