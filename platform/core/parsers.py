"""The API's one JSON parser (``DEFAULT_PARSER_CLASSES``): a bounded body, and every JSON the
platform refuses (``core.inputs``: NUL, non-finite numbers, deep nesting, a body that is not an
object) answered as a 400 in the platform's error shape naming the field — never a 500.

Deliberately not a ``JSONParser`` subclass: DRF reads ``request.body`` for those, which Django caps
at ``DATA_UPLOAD_MAX_MEMORY_SIZE`` with an HTML 400; this one reads the stream itself, up to
:attr:`SafeJSONParser.max_body`, which an endpoint taking larger bodies raises in a subclass.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.parsers import BaseParser

from . import inputs
from .errors import PlatformError


class RequestTooLarge(PlatformError):
    code = "request_too_large"
    http_status = 413
    default_message = "提交的内容过大"


class SafeJSONParser(BaseParser):
    media_type = "application/json"
    max_body: int | None = None  # None: DATA_UPLOAD_MAX_MEMORY_SIZE
    max_depth: int | None = inputs.MAX_JSON_DEPTH
    require_object = True  # every endpoint of the API takes an object
    check_values = True

    def parse(self, stream, media_type=None, parser_context=None):
        limit = self.max_body or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            if self.max_body is None:  # Django's own cap, answered as Django's (config.api: too_large)
                raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")
            raise RequestTooLarge(f"提交的内容过大：不能超过 {limit // (1024 * 1024)} MB")
        if not raw.strip():
            return {}
        return inputs.loads(raw, max_depth=self.max_depth, require_object=self.require_object,
                           check_values=self.check_values)
