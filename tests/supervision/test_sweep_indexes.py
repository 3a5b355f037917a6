"""The runtime's partial indexes the sweep reads on PostgreSQL (runtime migrations 0018, 0019)."""

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
    wanted = {"runtime_case_open_supervised", "runtime_material_handed_in", "runtime_case_completed_covering"}
    assert (wanted <= names) if connection.vendor == "postgresql" else not (wanted & names)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: SQLite has no such index")
def test_the_completed_cases_index_holds_completed_cases_only():
    """Its predicate keeps the runtime's writes to running cases out of it (migration 0019)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('runtime_case_completed_covering'::regclass)")
        definition = cursor.fetchone()[0]
    assert definition.endswith("WHERE (completed_on IS NOT NULL)")
    for column in ("id", "department_id", "item_id", "promised_due_on", "accepted_on", "paused_days"):
        assert column in definition.split("INCLUDE", 1)[1]
