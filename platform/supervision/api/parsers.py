"""A JSON parser for exchange batches: bounded body size, and every failure in the platform's
error shape (DRF's own ``JSONParser`` goes through ``request.body``, which Django caps at 2.5 MB —
a batch of 10 000 records is larger)."""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from core.errors import PlatformError

MAX_BODY = 64 * 1024 * 1024


class BatchTooLarge(PlatformError):
    code = "request_too_large"
    http_status = 413
    default_message = "提交的内容过大"


class BatchJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BODY + 1) if stream is not None else b""
        if len(raw) > MAX_BODY:
            raise BatchTooLarge(f"交换批次过大：不能超过 {MAX_BODY // (1024 * 1024)} MB，请分批推送")
        try:
            return json.loads(raw.decode("utf-8")) if raw else None
        except RecursionError:
            raise ParseError("JSON 嵌套过深") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON 格式有误：{exc}") from None
