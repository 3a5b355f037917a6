"""SQL that only PostgreSQL runs, as a migration operation: covering and partial indexes a sweep or
a page reads there, table storage settings. SQLite has no such index or setting; there the
operation does nothing. Like ``core.search_indexes``, it is not part of the model state, so
``makemigrations`` never sees what it makes; the tests that need it check it on PostgreSQL."""

from __future__ import annotations

from django.db import migrations


class PostgreSQLOnly(migrations.operations.base.Operation):
    """Run ``forwards`` on PostgreSQL when migrating, ``backwards`` when unapplying; nothing elsewhere."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, *, forwards: list[str], backwards: list[str], description: str):
        self.forwards, self.backwards, self.description = list(forwards), list(backwards), description

    def deconstruct(self):
        return (self.__class__.__qualname__, [],
                {"forwards": self.forwards, "backwards": self.backwards, "description": self.description})

    def state_forwards(self, app_label, state):
        pass  # not in the model state: see the module's docstring

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, self.forwards)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(schema_editor, self.backwards)

    @staticmethod
    def _run(schema_editor, statements: list[str]) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    def describe(self):
        return f"{self.description} (PostgreSQL only)"
