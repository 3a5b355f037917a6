"""A JSON parser that cannot be made to crash: bounded body size and nesting.

Python's JSON decoder raises ``RecursionError`` on deeply nested input (a rule nested 10 000
deep), which DRF's parser does not catch: the request would end in a 500. Here it becomes the
platform's error shape naming the rule's root. A 5 MB rule is read and then refused by
validation, which names the path; bodies beyond :data:`MAX_BODY` are refused unread.
"""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from core.errors import PlatformError

from ..errors import RuleInvalid
from ..validation import MAX_DEPTH

MAX_BODY = 8 * 1024 * 1024


class RequestTooLarge(PlatformError):
    code = "request_too_large"
    http_status = 413
    default_message = "提交的内容过大"


class SafeJSONParser(BaseParser):
    """Deliberately not a ``JSONParser`` subclass: DRF reads ``request.body`` for those, which
    Django caps at ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) with an HTML 400; this parser reads
    the stream itself, up to its own limit, and answers in the platform's error shape."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY + 1) if stream is not None else b""
        if len(raw) > MAX_BODY:
            raise RequestTooLarge(f"提交的内容过大：不能超过 {MAX_BODY // (1024 * 1024)} MB")
        try:
            return json.loads(raw.decode("utf-8")) if raw else {}
        except RecursionError:
            message = f"规则嵌套过深：超过 {MAX_DEPTH} 层，请简化"
            raise RuleInvalid(message, details={"$": [message]}) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON 格式有误：{exc}") from None
