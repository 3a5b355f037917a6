"""Indexes of the workbench's case lists (open cases by deadline, then finished ones newest first:
``models.deadline_first_order``), of the cases a person acted on (已办: by person and case, which
also serves the foreign key, so its own index goes) and of the public results (the latest
decision first)."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from core.search_indexes import AddTrigramIndex


class Migration(migrations.Migration):

    dependencies = [
        ('runtime', '0014_case_list_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # the foreign key's own index is served by runtime_task_done_by (its first column): drop
        # just the index, leaving the constraint (re-adding it would check every task again)
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name='task',
                name='completed_by',
                field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='办理人'),
            )],
            database_operations=[migrations.RunSQL(
                'DROP INDEX IF EXISTS "runtime_task_completed_by_id_3e2ee750"',
                'CREATE INDEX "runtime_task_completed_by_id_3e2ee750" ON "runtime_task" ("completed_by_id")',
            )],
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(models.OrderBy(models.Case(models.When(models.Q(('state__in', ['correcting', 'in_progress', 'received', 'suspended'])), then=models.Value(0)), default=models.Value(1), output_field=models.IntegerField())), models.OrderBy(models.Case(models.When(models.Q(('state__in', ['correcting', 'in_progress', 'received', 'suspended'])), then=django.db.models.functions.comparison.Coalesce('statutory_due_on', 'acceptance_due_on')), default=None, output_field=models.DateField())), models.OrderBy(models.F('submitted_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='runtime_case_deadline_first'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(models.OrderBy(models.F('completed_on'), descending=True), models.OrderBy(models.F('id'), descending=True), condition=models.Q(('decision__in', ('approved', 'rejected')), ('state__in', ('completed', 'delivered'))), name='runtime_case_decided_latest'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(fields=['completed_by', 'case'], name='runtime_task_done_by'),
        ),
        # the public results' search (public_results._text_matches), PostgreSQL only
        AddTrigramIndex(name='runtime_case_unit_code_trgm', table='runtime_case', column='unit_code'),
        AddTrigramIndex(name='runtime_certificate_number_trgm', table='runtime_certificate', column='number'),
    ]
