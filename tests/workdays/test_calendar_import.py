"""Administrators enter a year's holiday schedule from a spreadsheet; a bad file saves nothing."""

import datetime as dt

import pytest
import tablib

from core.errors import InvalidInput
from workdays import add_working_days
from workdays.models import CalendarYear, SpecialDay
from workdays.services import calendar_import_year
from workdays.spreadsheet import parse_schedule

pytestmark = pytest.mark.django_db

# An illustrative 2027 schedule (the State Council publishes the real one each November).
ROWS_2027 = [
    ("2027-01-01", "休", "元旦"),
    ("2027-02-05", "休", "春节"),
    ("2027-02-08", "休", "春节"),
    ("2027-02-09", "休", "春节"),
    ("2027-02-10", "休", "春节"),
    ("2027-02-11", "休", "春节"),
    ("2027-02-20", "班", "春节调休"),
]


def xlsx(rows, headers=("日期", "类型", "名称")) -> bytes:
    data = tablib.Dataset(headers=list(headers))
    for row in rows:
        data.append(list(row))
    return data.export("xlsx")


def test_a_2027_deadline_is_provisional_until_the_year_is_entered_then_exact(demo):
    before = add_working_days(dt.date(2026, 12, 25), 10)
    assert before.provisional is True and before.value == dt.date(2027, 1, 8)

    entries = parse_schedule(xlsx(ROWS_2027), filename="2027.xlsx", year=2027)
    calendar_import_year(actor=demo.admin, year=2027, entries=entries, note="示例安排")

    after = add_working_days(dt.date(2026, 12, 25), 10)
    assert after.provisional is False
    assert after.value == dt.date(2027, 1, 11)  # 1 January is now a holiday
    assert CalendarYear.objects.get(year=2027).source == CalendarYear.Source.SPREADSHEET


def test_csv_is_accepted_too(demo):
    csv = "日期,类型,名称\n2027-01-01,法定节假日,元旦\n2027-02-20,调休上班,春节调休\n".encode()
    entries = parse_schedule(csv, filename="2027.csv", year=2027)
    assert [(e.date, e.kind) for e in entries] == [
        (dt.date(2027, 1, 1), SpecialDay.Kind.HOLIDAY),
        (dt.date(2027, 2, 20), SpecialDay.Kind.WORKDAY),
    ]


def test_a_malformed_row_is_named_and_nothing_is_saved(demo):
    rows = [*ROWS_2027[:3], ("2027-02-30", "休", "春节"), ("2027-03-01", "放假", ""), ("2027-03-03", "班", "")]
    with pytest.raises(InvalidInput) as caught:
        parse_schedule(xlsx(rows), filename="2027.xlsx", year=2027)
    problems = caught.value.details["rows"]
    assert "第5行：日期“2027-02-30”无效，应为 YYYY-MM-DD 格式" in problems
    assert "第6行：类型“放假”无效，应为“休”或“班”" in problems
    assert "第7行：2027-03-03 本是工作日，不能登记为调休上班" in problems
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_dates_of_another_year_and_duplicates_are_refused(demo):
    rows = [("2027-01-01", "休", "元旦"), ("2027-01-01", "休", "元旦"), ("2028-01-01", "休", "元旦")]
    with pytest.raises(InvalidInput) as caught:
        parse_schedule(xlsx(rows), filename="x.xlsx", year=2027)
    assert caught.value.details["rows"] == ["第3行：日期 2027-01-01 与第2行重复", "第4行：日期 2028-01-01 不属于 2027 年"]


def test_a_file_without_the_headers_is_refused(demo):
    with pytest.raises(InvalidInput, match="表头缺少“日期”“类型”列"):
        parse_schedule(xlsx([("2027-01-01", "休")], headers=("date", "kind")), filename="x.xlsx", year=2027)


def test_reimporting_a_year_replaces_it_whole(demo):
    calendar_import_year(actor=demo.admin, year=2027, entries=parse_schedule(xlsx(ROWS_2027), filename="a.xlsx", year=2027))
    calendar_import_year(
        actor=demo.admin, year=2027, entries=parse_schedule(xlsx(ROWS_2027[:1]), filename="b.xlsx", year=2027)
    )
    assert list(SpecialDay.objects.filter(year=2027).values_list("name", flat=True)) == ["元旦"]


def test_only_a_system_administrator_may_import(demo):
    from core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        calendar_import_year(actor=demo.clerk, year=2027, entries=[])
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_package_years_are_seeded_by_migration():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert SpecialDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节"
