"""A partial covering index over the completed cases on PostgreSQL, which the dashboard's figures
(on-time completions by department, working days used by item: ``supervision.selectors``) read by
an index-only scan of the window of completion dates instead of the wide case rows, one heap page
per case (docs/supervision.md, "The sweep", step 5).

Only a case that has completed has an entry (``WHERE completed_on IS NOT NULL``): the runtime's
writes to a running case add none (PostgreSQL inserts into a partial index only the row versions
that satisfy its predicate; those updates are not HOT anyway, ``updated_at`` is indexed). As 0018,
PostgreSQL only and not in the model state: SQLite has no covering index, so there it would only
cost writes."""

from django.db import migrations

from core.postgresql_only import PostgreSQLOnly

CREATE = [
    "CREATE INDEX IF NOT EXISTS runtime_case_completed_covering ON runtime_case (completed_on) "
    "INCLUDE (id, department_id, item_id, promised_due_on, accepted_on, paused_days) WHERE completed_on IS NOT NULL",
]
DROP = ["DROP INDEX IF EXISTS runtime_case_completed_covering"]


class Migration(migrations.Migration):

    dependencies = [
        ('runtime', '0018_supervision_covering_indexes'),
    ]

    operations = [PostgreSQLOnly(forwards=CREATE, backwards=DROP,
                                 description="The dashboard's covering index on completed cases")]
