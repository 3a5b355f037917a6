"""Two partial indexes supervision's sweep reads on PostgreSQL (docs/supervision.md, "The sweep"),
by index-only scans in case order instead of the wide rows: the open cases with the narrow columns
the clocks, the material check and the dashboard's time-left map read (``INCLUDE``d), and the
materials handed in (not superseded; a file, a paper original or a certificate) by (case, key).

PostgreSQL only, and not in the model state (as the trigram indexes of 0014): SQLite has no
covering index and its sweep reads neither, so there they would only cost every write."""

from django.db import migrations

from core.postgresql_only import PostgreSQLOnly

OPEN_STATES = "'correcting', 'in_progress', 'received', 'suspended'"  # runtime.models.OPEN_STATES

CREATE = [
    "CREATE INDEX IF NOT EXISTS runtime_case_open_supervised ON runtime_case (id) INCLUDE (state, paused_since, "
    "department_id, channel, version_id, unit_code, accepted_on, promised_due_on, statutory_due_on, "
    f"promised_limit_days, statutory_limit_days) WHERE state IN ({OPEN_STATES})",
    "CREATE INDEX IF NOT EXISTS runtime_material_handed_in ON runtime_material (case_id, key) "
    "WHERE NOT superseded AND (file <> '' OR paper_original OR certificate_id IS NOT NULL)",
]
DROP = ["DROP INDEX IF EXISTS runtime_case_open_supervised", "DROP INDEX IF EXISTS runtime_material_handed_in"]


class Migration(migrations.Migration):

    dependencies = [
        ('runtime', '0017_drop_indexes_covered_by_composites'),
    ]

    operations = [PostgreSQLOnly(forwards=CREATE, backwards=DROP,
                                 description="The sweep's covering indexes on open cases and handed-in materials")]
