"""The exchange's JSON parser: the platform's (``core.parsers``) with room for a batch of 10 000
records. Its texts and numbers are judged record by record by ``inbound`` (one bad record must not
refuse the batch), and a body that is not an object is refused as a batch by
``inbound.check_header``."""

from __future__ import annotations

from core.parsers import SafeJSONParser

MAX_BODY = 64 * 1024 * 1024


class BatchJSONParser(SafeJSONParser):
    max_body = MAX_BODY
    max_depth = None
    require_object = False
    check_values = False
