"""The public contract every app codes against (re-exported by ``rules``).

* ``validate_rule(rule, *, variables=None)`` raises :class:`RuleInvalid` whose ``details`` maps
  the JSON path of each offending node (``$.and[1].var``) to Chinese messages. ``variables`` are
  the names the rule may read (an iterable of dotted names, or the mapping returned by
  :func:`rules.rule_variables` / :func:`rules.variables_from_schema`, which also carries types
  and choices); ``None`` skips the variable check.
* ``evaluate_rule(rule, data, *, key=None, today=None)`` evaluates a rule on plain JSON data and
  raises only :class:`RuleEvaluationError`: a rule that does not validate (say, a ``method``
  rule written into the database behind the designer's back) is refused here again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from .cache import cached_rule, rule_for
from .errors import RuleEvaluationError, RuleInvalid, summarise
from .evaluation import CompiledRule, Explanation, compile_rule
from .static import Variable
from .validation import find_problems

Variables = Iterable[str] | Mapping[str, Variable] | None


def validate_rule(rule, *, variables: Variables = None) -> None:
    """Refuse a rule that may not be saved; see the module docstring."""
    problems = find_problems(rule, variables)
    if problems:
        raise RuleInvalid(summarise(problems, "规则有误"), details=problems)


def _compiled(rule, key: str | None) -> CompiledRule:
    try:
        if isinstance(rule, CompiledRule):
            return rule
        return cached_rule(key, rule) if key is not None else rule_for(rule)
    except RuleInvalid as exc:
        raise RuleEvaluationError(
            summarise(exc.details, "规则未通过校验，已拒绝计算"), details=exc.details
        ) from None


def evaluate_rule(rule, data, *, key: str | None = None, today: dt.date | None = None):
    """The value of ``rule`` on ``data``.

    ``key`` names the rule in the compiled-rule cache (e.g. ``"item-version:42:transition:7"``;
    it must name one rule forever, which published versions guarantee); without it the rule's
    canonical text is the key. ``today`` fixes "today" (default: the local date now).
    """
    return _compiled(rule, key).evaluate(data, today=today)


def rule_holds(rule, data, *, key: str | None = None, today: dt.date | None = None, on_error=None) -> bool:
    """Fail-closed truth of a condition: False when evaluation fails, after ``on_error(exc)``.

    The runtime passes an ``on_error`` that records the error with the case, so a person sees it.
    """
    try:
        return _compiled(rule, key).holds(data, today=today)
    except RuleEvaluationError as exc:
        if on_error is not None:
            on_error(exc)
        return False


def explain(rule, data, *, variables: Variables = None, today: dt.date | None = None) -> Explanation:
    """A test run: validate (raising RuleInvalid), then evaluate step by step."""
    return compile_rule(rule, variables=variables).explain(data, today=today)


def evaluate_uncached(rule, data, *, today: dt.date | None = None):
    """Validate, compile and evaluate on every call: the naive baseline of the benchmark."""
    return _compiled(compile_rule(rule), None).evaluate(data, today=today)
