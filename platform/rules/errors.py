"""The rules engine's typed errors (mapped to HTTP by ``config.api.exception_handler``).

``details`` always maps the JSON path of a rule node (``$.and[1].var``) to Chinese messages, so
the designer can put each message next to the node it concerns.
"""

from __future__ import annotations

from core.errors import InvalidInput, PlatformError


class RuleInvalid(InvalidInput):
    """The rule is refused before it is saved (or again, if it reaches evaluation anyway)."""

    code = "rule_invalid"
    default_message = "规则有误"


class RuleEvaluationError(PlatformError):
    """Evaluating a valid rule on some data failed; callers record it and fail closed."""

    code = "rule_evaluation_error"
    default_message = "规则计算出错"


class RuleNotCompilable(PlatformError):
    """The rule is valid but outside the subset that translates into a database query."""

    code = "rule_not_compilable"
    default_message = "规则不能转换为数据库查询"


def summarise(problems: dict[str, list[str]], prefix: str) -> str:
    """One readable sentence for ``message``; the per-path list stays in ``details``."""
    parts = [f"{path}：{message}" for path, messages in problems.items() for message in messages]
    shown = "；".join(parts[:3])
    more = f"（另有 {len(parts) - 3} 处）" if len(parts) > 3 else ""
    return f"{prefix}：{shown}{more}"
