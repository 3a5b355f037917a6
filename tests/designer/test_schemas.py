"""The JSON Schemas published in docs/schemas are exactly the ones the server validates with."""

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from designer.validation import SCHEMA_DIR, SCHEMA_NAMES, published_schema

DOCS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_published_schema_matches_the_server(name):
    file = f"{name}.schema.json"
    assert (DOCS / file).read_bytes() == (SCHEMA_DIR / file).read_bytes()
    Draft202012Validator.check_schema(published_schema(name))
