"""The rules API's JSON parser: the platform's (``core.parsers``), with a larger body and the rule's
own depth limit — a rule nested too deep for the decoder is refused as a rule, naming its root;
one the decoder reads is refused by validation, which names the path where it goes too deep."""

from __future__ import annotations

from core.inputs import JSONTooDeep
from core.parsers import RequestTooLarge, SafeJSONParser

from ..errors import RuleInvalid
from ..validation import MAX_DEPTH

MAX_BODY = 8 * 1024 * 1024

__all__ = ["RuleJSONParser", "RequestTooLarge"]


class RuleJSONParser(SafeJSONParser):
    max_body = MAX_BODY
    max_depth = None  # rules.validation refuses a rule beyond MAX_DEPTH with the path

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except JSONTooDeep:
            message = f"规则嵌套过深：超过 {MAX_DEPTH} 层，请简化"
            raise RuleInvalid(message, details={"$": [message]}) from None
