"""Decision 007: an alert's level is read as its stored level raised by the levels whose starting
days have been judged. The column ``level`` keeps its name and rows; the field is ``stored_level``."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("supervision", "0019_notification_summaries")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("alert", "level", "stored_level"),
                migrations.AlterField(
                    "alert", "stored_level",
                    models.PositiveSmallIntegerField(
                        "已写入级别", db_column="level",
                        choices=[(0, "未到级别"), (1, "预警"), (2, "黄牌"), (3, "红牌"), (9, "异常")])),
            ],
        ),
        migrations.AddField("alert", "warning_from", models.DateField("预警起始日", null=True, blank=True)),
        migrations.AddField("alert", "yellow_from", models.DateField("黄牌起始日", null=True, blank=True)),
        migrations.AddField("alert", "red_from", models.DateField("红牌起始日", null=True, blank=True)),
        migrations.CreateModel(
            name="JudgedDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField("已判定到")),
            ],
            options={"verbose_name": "监察判定日", "verbose_name_plural": "监察判定日"},
        ),
    ]
