"""Key the case log: each entry records the id of the key it is sealed with, and the chains
written before (plain SHA-256) are re-sealed under the current key — each only if its plain chain
still verifies now; a chain that does not is left unkeyed, so it keeps failing verification and
the sweep's alert stays (docs/runtime.md, "The case log")."""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64


def reseal(apps, schema_editor):
    from runtime.caselog import _canonical

    Case = apps.get_model("runtime", "Case")
    LogEntry = apps.get_model("runtime", "LogEntry")
    key_id = settings.CASE_LOG_KEY_ID
    key = settings.CASE_LOG_KEYS[key_id].encode("utf-8")
    for case in Case.objects.filter(log_length__gt=0).only("pk", "number", "log_length", "log_head").iterator():
        entries = list(LogEntry.objects.filter(case_id=case.pk).order_by("seq"))
        prev, intact = GENESIS, len(entries) == case.log_length
        for seq, entry in enumerate(entries, start=1):
            intact = intact and entry.seq == seq and entry.prev_hash == prev and not entry.key_id and (
                hashlib.sha256(_canonical(entry, case.number)).hexdigest() == entry.hash)
            prev = entry.hash
        if not intact or prev != case.log_head:
            continue
        prev = GENESIS
        for entry in entries:
            entry.prev_hash, entry.key_id = prev, key_id
            entry.hash = hmac.new(key, _canonical(entry, case.number), hashlib.sha256).hexdigest()
            prev = entry.hash
        LogEntry.objects.bulk_update(entries, ["prev_hash", "key_id", "hash"], batch_size=1000)
        Case.objects.filter(pk=case.pk).update(log_head=prev)


class Migration(migrations.Migration):

    dependencies = [
        ('runtime', '0008_public_notice'),
    ]

    operations = [
        migrations.AddField(
            model_name='logentry',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='密钥编号'),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
    ]
