"""Indexes of the case lists at a million cases: newest first for everyone, per applicant, and
(PostgreSQL only) trigram indexes for searching by case number, item name and applicant name."""

from django.db import migrations, models

from core.search_indexes import AddTrigramIndex


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_must_change_password_and_tour'),
        ('runtime', '0013_certificate_lifecycle'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['-submitted_at', '-id'], name='runtime_case_newest_first'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['applicant', '-submitted_at', '-id'], name='runtime_case_applicant_newest'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['completed_on'], name='runtime_case_completed_on'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(fields=['case', 'department'], name='runtime_task_case_unit'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(condition=models.Q(('state', 'open')), fields=['due_on', 'opened_at', 'id'],
                               name='runtime_task_open_inbox'),
        ),
        AddTrigramIndex(name='runtime_case_number_trgm', table='runtime_case', column='number'),
        AddTrigramIndex(name='runtime_case_unit_name_trgm', table='runtime_case', column='unit_name'),
        AddTrigramIndex(name='accounts_applicant_name_trgm', table='accounts_applicant', column='name'),
    ]
