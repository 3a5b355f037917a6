"""json-logic rules: the one entry point every app uses to validate and evaluate a rule.

Nobody else imports json-logic directly. See docs/rules.md.
"""

from .engine import RuleEvaluationError, RuleInvalid, evaluate_rule, validate_rule

__all__ = ["RuleEvaluationError", "RuleInvalid", "evaluate_rule", "validate_rule"]
