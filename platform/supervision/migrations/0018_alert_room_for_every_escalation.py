from django.db import migrations

from core.postgresql_only import PostgreSQLOnly

# Room left in each page of the alerts (PostgreSQL), from 30 % (migration 0014) to 45 %: an escalation
# is a HOT update only while its page has room for the row's new version (about as long as the old
# one). A periodic sweep may escalate most of a kind's open alerts at once (the million-case bench
# escalates 352,311 of 523,786 step alerts in one working day, two in three); with 30 % free a page
# of ~50 alerts holds ~20 new versions and the rest were written with a new entry in every index
# (EXPLAIN ANALYZE of the step clocks' statement: 58 % HOT, the escalations 6.3 s; at 55 %: 99.7 %
# HOT, 2.1 s, the table 28 % larger). Old versions are pruned from the page by later updates, so
# the room is there again the next day.
FILLFACTOR = 55


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0017_alert_department_unindexed'),
    ]

    operations = [
        PostgreSQLOnly(forwards=[f"ALTER TABLE supervision_alert SET (fillfactor = {FILLFACTOR})"],
                       backwards=["ALTER TABLE supervision_alert SET (fillfactor = 70)"],
                       description="More room in each page of the alerts"),
    ]
