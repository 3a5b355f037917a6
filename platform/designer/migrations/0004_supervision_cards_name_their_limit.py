"""Supervision rule sets: each card now names the limit it counts against (docs/designer.md).

Working copies (``ApprovalItem.definition``) and the district defaults row are rewritten to the
new shape, meaning what they meant; published versions are immutable and are upgraded when read
(``designer.rulesets.upgrade``). Historical rows are left as they were.
"""

from django.db import migrations


def upgrade_rule_sets(apps, schema_editor):
    from designer.rulesets import upgrade

    for item in apps.get_model("designer", "ApprovalItem").objects.all():
        rules = (item.definition or {}).get("supervision")
        if isinstance(rules, dict) and upgrade(rules) != rules:
            item.definition = {**item.definition, "supervision": upgrade(rules)}
            item.save(update_fields=["definition"])
    for row in apps.get_model("designer", "SupervisionDefaults").objects.all():
        if isinstance(row.rules, dict) and upgrade(row.rules) != row.rules:
            row.rules = upgrade(row.rules)
            row.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("designer", "0003_service_themes")]
    operations = [migrations.RunPython(upgrade_rule_sets, migrations.RunPython.noop)]
