"""The runtime's partial indexes the sweep reads on PostgreSQL (runtime migration 0018)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from runtime.models import OPEN_STATES

MIGRATION = importlib.import_module("runtime.migrations.0018_supervision_covering_indexes")


def test_the_open_cases_index_holds_exactly_the_runtimes_open_states():
    assert MIGRATION.OPEN_STATES == ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATES))


@pytest.mark.django_db
def test_the_indexes_exist_on_postgresql_only():
    with connection.cursor() as cursor:
        names = {name for table in ("runtime_case", "runtime_material")
                 for name in connection.introspection.get_constraints(cursor, table)}
    wanted = {"runtime_case_open_supervised", "runtime_material_handed_in"}
    assert (wanted <= names) if connection.vendor == "postgresql" else not (wanted & names)
