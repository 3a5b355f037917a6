"""The district's four online classes, with what each letter means (editable as data later)."""

from django.db import migrations

CLASSES = [
    ("A", "全程网上办理", "申请、受理、审批、办结全部在网上完成，申请人无需到现场。", True, False),
    ("B", "网上预审", "网上申请和预审，申请人到窗口核验原件后办结。", True, False),
    ("C", "暂缓上网", "目前尚不具备网上办理条件，须说明理由和计划上网日期。", True, True),
    ("D", "不上网", "涉及保密信息或法律法规另有规定，不在网上公开和办理。", False, False),
]


def add_classes(apps, schema_editor):
    OnlineClass = apps.get_model("designer", "OnlineClass")
    for letter, name, meaning, online, deferred in CLASSES:
        OnlineClass.objects.get_or_create(
            letter=letter, defaults={"name": name, "meaning": meaning, "online": online, "deferred": deferred}
        )


class Migration(migrations.Migration):
    dependencies = [("designer", "0001_initial")]
    operations = [migrations.RunPython(add_classes, migrations.RunPython.noop)]
