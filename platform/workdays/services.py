"""Use cases that change the working-day calendar: seeding from the package, importing a
year's schedule from a spreadsheet. Each replaces a year whole, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from accounts.access import require_role
from accounts.models import Role
from core.errors import InvalidInput

from .loader import calendar_changed
from .models import CalendarYear, SpecialDay

# chinese-calendar names its holidays in English; the platform shows them in Chinese.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    kind: str  # SpecialDay.Kind
    name: str = ""


def package_years() -> range:
    """The years the installed chinese-calendar package knows."""
    from chinese_calendar import constants

    return range(min(constants.holidays).year, max(constants.holidays).year + 1)


def package_entries(year: int) -> list[DayEntry]:
    from chinese_calendar import constants

    entries = [
        DayEntry(day, SpecialDay.Kind.HOLIDAY, HOLIDAY_NAMES_ZH.get(str(name), str(name)))
        for day, name in constants.holidays.items()
        if day.year == year
    ]
    entries += [
        DayEntry(day, SpecialDay.Kind.WORKDAY, HOLIDAY_NAMES_ZH.get(str(name), str(name)) + "调休")
        for day, name in constants.workdays.items()
        if day.year == year
    ]
    return sorted(entries, key=lambda e: e.date)


def _replace_year(*, year: int, entries: list[DayEntry], source: str, note: str, actor) -> CalendarYear:
    calendar_year, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "note": note, "updated_by": actor}
    )
    calendar_year.days.all().delete()
    days = [SpecialDay(year=calendar_year, date=e.date, kind=e.kind, name=e.name) for e in entries]
    for day in days:
        day.full_clean(validate_unique=False)
    SpecialDay.objects.bulk_create(days)
    calendar_changed()
    transaction.on_commit(calendar_changed)
    return calendar_year


@transaction.atomic
def calendar_seed_from_package(*, actor=None, years=None, overwrite: bool = False) -> list[int]:
    """Enter the years chinese-calendar knows; years already entered stay as they are unless
    ``overwrite``. Returns the years written."""
    require_role(actor, Role.SYSTEM_ADMIN)
    wanted = list(years or package_years())
    existing = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    written = []
    for year in wanted:
        if year in existing and not overwrite:
            continue
        _replace_year(
            year=year, entries=package_entries(year), source=CalendarYear.Source.PACKAGE,
            note="由 chinese-calendar 软件包导入", actor=actor,
        )
        written.append(year)
    return written


@transaction.atomic
def calendar_import_year(*, actor, year: int, entries: list[DayEntry], note: str = "") -> CalendarYear:
    """Replace one year's holidays and swapped working days with ``entries`` (already parsed)."""
    require_role(actor, Role.SYSTEM_ADMIN)
    outside = [e for e in entries if e.date.year != year]
    if outside:
        raise InvalidInput(
            f"导入的日期必须都在 {year} 年内", details={"rows": [f"{e.date} 不属于 {year} 年" for e in outside]}
        )
    return _replace_year(year=year, entries=entries, source=CalendarYear.Source.SPREADSHEET, note=note, actor=actor)
