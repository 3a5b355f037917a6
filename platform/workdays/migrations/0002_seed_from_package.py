"""Enter the years the chinese-calendar package knows, so a new installation counts working days
exactly from its first start. Years added later come from the admin's spreadsheet import."""

from django.db import migrations


def seed(apps, schema_editor):
    from workdays.services import package_entries, package_years

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    for year in package_years():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        calendar_year = CalendarYear.objects.create(
            year=year, source="package", note="由 chinese-calendar 软件包导入"
        )
        SpecialDay.objects.bulk_create(
            SpecialDay(year=calendar_year, date=e.date, kind=e.kind, name=e.name) for e in package_entries(year)
        )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
