"""docs/rules.md lists every operation with an example, and every case fact, as registered."""

from rules import case_facts, operations
from rules.reference import docs_path, render


def test_the_generated_sections_of_the_docs_are_up_to_date():
    text = docs_path().read_text(encoding="utf-8")
    assert render(text) == text, "docs/rules.md is stale: run `python manage.py rules_docs`"


def test_every_operation_and_every_fact_appears_in_the_docs():
    text = docs_path().read_text(encoding="utf-8")
    for name in operations.keys():
        assert f"#### `{name}`" in text
    for name in case_facts.keys():
        assert f"`{name}`" in text


def test_the_docs_state_the_semantics_chosen():
    text = docs_path().read_text(encoding="utf-8")
    for heading in ["**Truthiness**", "**Equality**", "**Ordering**", "**Arithmetic**", "**Missing values**"]:
        assert heading in text
