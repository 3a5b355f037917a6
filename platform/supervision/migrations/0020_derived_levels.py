"""Decision 007: an alert's level, raise and escalation are read as stored, moved on by the
starting days of its levels that the sweep has judged. The columns keep their names and rows."""

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
                migrations.RenameField("alert", "raised_at", "stored_raised_at"),
                migrations.AlterField(
                    "alert", "stored_raised_at", models.DateTimeField("产生时间", db_column="raised_at")),
                migrations.RenameField("alert", "escalated_at", "stored_escalated_at"),
                migrations.AlterField(
                    "alert", "stored_escalated_at",
                    models.DateTimeField("写入的升级时间", null=True, blank=True, db_column="escalated_at")),
            ],
        ),
        # a clock written ahead is raised when its first level's day is judged
        migrations.AlterField(
            "alert", "stored_raised_at",
            models.DateTimeField("写入的产生时间", null=True, blank=True, db_column="raised_at")),
        migrations.AlterModelOptions(
            "alert", {"verbose_name": "监察告警", "verbose_name_plural": "监察告警", "ordering": ["-raised_on", "-pk"]}),
        migrations.AddField("alert", "warning_from", models.DateField("预警起始日", null=True, blank=True)),
        migrations.AddField("alert", "yellow_from", models.DateField("黄牌起始日", null=True, blank=True)),
        migrations.AddField("alert", "red_from", models.DateField("红牌起始日", null=True, blank=True)),
        migrations.CreateModel(
            name="JudgedDay",
            fields=[
                ("day", models.DateField("判定日", primary_key=True, serialize=False)),
                ("judged_at", models.DateTimeField("首次判定时间")),
            ],
            options={"verbose_name": "监察判定日", "verbose_name_plural": "监察判定日"},
        ),
    ]
