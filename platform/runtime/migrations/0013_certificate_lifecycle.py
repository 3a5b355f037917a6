"""The certificate lifecycle: versions, status 已过期/已注销/已变更, particulars, the verification
code of the public verification page (filled for the certificates already issued), and the
certificate an application acts on."""

import secrets

import django.db.models.deletion
from django.db import migrations, models


def give_verification_codes(apps, schema_editor):
    Certificate = apps.get_model("runtime", "Certificate")
    for certificate in Certificate.objects.filter(verification_code__isnull=True).order_by("pk").only("pk"):
        Certificate.objects.filter(pk=certificate.pk).update(verification_code=secrets.token_urlsafe(24))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_must_change_password_and_tour'),
        ('designer', '0005_item_version_catalogue_facts'),
        ('runtime', '0012_material_check'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='certificate',
            options={'ordering': ['-issued_on', 'number', '-version'], 'verbose_name': '证照', 'verbose_name_plural': '证照'},
        ),
        migrations.AddField(
            model_name='case',
            name='acts_on',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='acting_cases', to='runtime.certificate', verbose_name='所涉证照'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='cancel_reason',
            field=models.CharField(blank=True, max_length=500, verbose_name='注销原因'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='cancelled_on',
            field=models.DateField(blank=True, null=True, verbose_name='注销日期'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='particulars',
            field=models.JSONField(blank=True, default=list, verbose_name='证照事项'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='reminded_for',
            field=models.DateField(blank=True, null=True, verbose_name='已提醒到期日'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='renewed_on',
            field=models.DateField(blank=True, null=True, verbose_name='最近延续日期'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='replacement',
            field=models.BooleanField(default=False, verbose_name='补发'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='verification_code',
            field=models.CharField(max_length=64, null=True, unique=True, verbose_name='核验码'),
        ),
        migrations.RunPython(give_verification_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='certificate',
            name='verification_code',
            field=models.CharField(max_length=64, unique=True, verbose_name='核验码'),
        ),
        migrations.AddField(
            model_name='certificate',
            name='version',
            field=models.PositiveIntegerField(default=1, verbose_name='版本'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='number',
            field=models.CharField(max_length=60, verbose_name='证照编号'),
        ),
        migrations.AlterField(
            model_name='certificate',
            name='status',
            field=models.CharField(choices=[('valid', '有效'), ('expired', '已过期'), ('revoked', '已注销'), ('superseded', '已变更')], default='valid', max_length=16, verbose_name='状态'),
        ),
        migrations.AddIndex(
            model_name='certificate',
            index=models.Index(fields=['status', 'valid_until'], name='certificate_expiry'),
        ),
        migrations.AddConstraint(
            model_name='certificate',
            constraint=models.UniqueConstraint(fields=('number', 'version'), name='one_row_per_certificate_version'),
        ),
    ]
