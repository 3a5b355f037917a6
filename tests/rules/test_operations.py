"""The operation registry: what is allowed, what is not, and every documented example."""

import datetime as dt

import pytest

from core.registry import DuplicateKey
from rules import evaluate_rule, operations
from rules.operations import Example, operation

EXAMPLES = [
    pytest.param(name, example, id=f"{name}-{i}")
    for name, op in operations.items()
    for i, example in enumerate(op.examples)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "example"), EXAMPLES)
def test_every_documented_example_gives_the_documented_result(name, example: Example):
    today = dt.date.fromisoformat(example.today) if example.today else None
    result = evaluate_rule(example.rule, example.data, today=today)
    assert result == example.result
    assert type(result) is type(example.result)


def test_every_operation_has_a_chinese_label_a_description_and_an_example():
    for name, op in operations.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in op.label), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in op.doc), name
        assert op.examples, name
        assert all(next(iter(ex.rule)) == name for ex in op.examples), name


@pytest.mark.parametrize("name", ["method", "log", "count"])
def test_the_librarys_unsafe_or_unofficial_operations_are_not_registered(name):
    assert name not in operations


def test_the_standard_jsonlogic_operations_are_all_available():
    standard = {"var", "missing", "missing_some", "if", "?:", "and", "or", "!", "!!", "==", "===", "!=", "!==",
                "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "min", "max", "cat", "substr", "in", "merge",
                "some", "all", "none", "map", "filter", "reduce"}
    assert standard <= set(operations.keys())


def test_an_operation_name_cannot_be_registered_twice():
    with pytest.raises(DuplicateKey):
        @operation("==", label="重复", category="比较")
        def again(a, b):
            return a == b


def test_arity_comes_from_the_function_signature():
    assert (operations.get("substr").min_args, operations.get("substr").max_args) == (2, 3)
    assert (operations.get("+").min_args, operations.get("+").max_args) == (1, None)
    assert (operations.get("today").min_args, operations.get("today").max_args) == (0, 0)
    assert (operations.get("add_working_days").min_args, operations.get("add_working_days").max_args) == (2, 2)


def test_no_platform_code_imports_json_logic_directly():
    """Rules are evaluated over the platform's registry only; the library's table (with `method`
    and `log`) is never reached, so nothing under platform/ imports it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "platform"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if re.search(r"^\s*(import|from)\s+json_logic\b", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []
