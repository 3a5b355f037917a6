"""The district's four online classes, with what each letter means (editable as data later)."""

from django.db import migrations


def add_classes(apps, schema_editor):
    from designer.defaults import ensure_online_classes

    ensure_online_classes(apps.get_model("designer", "OnlineClass"))


class Migration(migrations.Migration):
    dependencies = [("designer", "0001_initial")]
    operations = [migrations.RunPython(add_classes, migrations.RunPython.noop)]
