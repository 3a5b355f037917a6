"""json-logic rules: the one entry point every app uses to validate and evaluate a rule.

Nobody else imports json-logic directly. See docs/rules.md.
"""

from .cache import cached_rule
from .engine import evaluate_rule, explain, rule_holds, validate_rule
from .errors import RuleEvaluationError, RuleInvalid, RuleNotCompilable
from .evaluation import CompiledRule, Explanation, compile_rule
from .facts import case_facts, facts_data
from .operations import operations
from .schema import decision_variables, rule_variables, variables_from_schema
from .semantics import truthy
from .static import Variable

__all__ = [
    "CompiledRule",
    "Explanation",
    "RuleEvaluationError",
    "RuleInvalid",
    "RuleNotCompilable",
    "Variable",
    "cached_rule",
    "case_facts",
    "compile_rule",
    "compile_to_q",
    "evaluate_rule",
    "explain",
    "facts_data",
    "operations",
    "decision_variables",
    "rule_holds",
    "rule_variables",
    "truthy",
    "validate_rule",
    "variables_from_schema",
]


def __getattr__(name):
    # compile_to_q imports the ORM; load it only when asked for (rules is imported early).
    if name == "compile_to_q":
        from .queries import compile_to_q

        return compile_to_q
    raise AttributeError(name)
