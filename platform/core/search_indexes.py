"""Trigram indexes for ``icontains`` search on PostgreSQL, as a migration operation.

Django sends ``field__icontains=x`` to PostgreSQL as ``UPPER("col"::text) LIKE UPPER('%x%')``,
which no B-tree index serves: every search read every row. A GIN index of the ``pg_trgm``
extension over exactly that expression answers it from the index. SQLite has no such index;
there the operation does nothing and search stays a plain ``LIKE``.

The index is not part of the model state (``Meta.indexes`` would make SQLite create a GIN index),
so ``makemigrations`` never sees it; ``tests/runtime/test_case_list_indexes.py`` checks that it
exists on PostgreSQL and that the planner uses it.
"""

from __future__ import annotations

from django.db import migrations


class AddTrigramIndex(migrations.operations.base.Operation):
    """``CREATE INDEX <name> ON <table> USING gin (UPPER(<column>::text) gin_trgm_ops)`` on
    PostgreSQL (creating the ``pg_trgm`` extension if need be); nothing elsewhere."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, *, name: str, table: str, column: str):
        self.name, self.table, self.column = name, table, column

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"name": self.name, "table": self.table, "column": self.column}

    def state_forwards(self, app_label, state):
        pass  # not in the model state: see the module's docstring

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(self.table)} "
                              f"USING gin (UPPER({quote(self.column)}::text) gin_trgm_ops)")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Trigram index {self.name} on {self.table}.{self.column} (PostgreSQL only)"
