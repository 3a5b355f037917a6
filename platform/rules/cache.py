"""Compiled rules, cached, so validation and compilation happen once per rule.

* :func:`cached_rule` with a *key* (for example ``"item-version:42:transition:7"``): a published
  definition version is immutable, so its key names one rule forever. A hit costs one dict look-up
  and an identity (or equality) check that guards against a key reused for another rule.
* :func:`rule_for` without a key: the rule's canonical JSON text is the key (a few microseconds).

Both caches are per process and bounded; a miss recompiles, which is always correct.
"""

from __future__ import annotations

import json
from functools import lru_cache

from .evaluation import CompiledRule, compile_rule

MAX_KEYED = 4096

_by_key: dict[str, tuple[object, CompiledRule]] = {}


def cached_rule(key: str, rule) -> CompiledRule:
    """The compiled rule stored under ``key``, compiling ``rule`` on a miss; raises RuleInvalid."""
    entry = _by_key.get(key)
    if entry is not None:
        original, compiled = entry
        if original is rule:
            return compiled
        try:
            if compiled.source == rule:
                return compiled
        except RecursionError:
            pass
    compiled = compile_rule(rule)
    if len(_by_key) >= MAX_KEYED:
        _by_key.clear()
    _by_key[key] = (rule, compiled)
    return compiled


@lru_cache(maxsize=1024)
def _compile_text(text: str) -> CompiledRule:
    return compile_rule(json.loads(text))


def rule_for(rule) -> CompiledRule:
    """The compiled form of ``rule``, cached by its canonical JSON text; raises RuleInvalid."""
    if isinstance(rule, CompiledRule):
        return rule
    try:
        text = json.dumps(rule, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return compile_rule(rule)  # not JSON or too deep: validation says so with a path
    if len(text) > 256 * 1024:
        return compile_rule(rule)  # never keep huge texts alive as cache keys
    return _compile_text(text)


def clear_caches() -> None:
    _by_key.clear()
    _compile_text.cache_clear()
