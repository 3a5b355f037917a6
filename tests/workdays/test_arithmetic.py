"""Working-day arithmetic: exact against chinese-calendar, provisional beyond, by property."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workdays import add_working_days, is_workday, working_days_between
from workdays.arithmetic import WorkCalendar

KNOWN = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 11, 30))
ANY = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2035, 12, 31))
pytestmark = pytest.mark.django_db


def test_national_day_2026_is_not_counted_and_the_swapped_saturday_is():
    # 2026: 10-01..10-07 off; Sunday 09-20... the package's swapped working days are counted.
    assert not is_workday(dt.date(2026, 10, 1))
    swapped = [d for d in chinese_calendar.get_workdays(dt.date(2026, 1, 1), dt.date(2026, 12, 31)) if d.weekday() >= 5]
    assert swapped, "2026 has weekend days swapped into working days"
    assert all(is_workday(d) for d in swapped)


def test_twenty_working_days_from_a_date_before_the_spring_festival_skip_the_holiday():
    # Accepted on Friday 2026-02-06; the Spring Festival holiday falls inside the period.
    result = add_working_days(dt.date(2026, 2, 6), 20)
    expected = [d for d in chinese_calendar.get_workdays(dt.date(2026, 2, 7), dt.date(2026, 4, 30))][19]
    assert result.value == expected
    assert result.provisional is False


@settings(max_examples=300, deadline=None)
@given(start=KNOWN, n=st.integers(min_value=1, max_value=25))
def test_add_matches_chinese_calendar_exactly_in_known_years(start, n):
    result = add_working_days(start, n)
    horizon = min(start + dt.timedelta(days=80), dt.date(2026, 12, 31))
    following = chinese_calendar.get_workdays(start + dt.timedelta(days=1), horizon)
    if len(following) < n:  # the answer lies beyond what the package knows
        assert result.provisional is True
        return
    assert result.value == following[n - 1]
    assert result.provisional is False


@settings(max_examples=300, deadline=None)
@given(a=KNOWN, b=KNOWN)
def test_between_matches_chinese_calendar_exactly_in_known_years(a, b):
    lo, hi = sorted((a, b))
    expected = len(chinese_calendar.get_workdays(lo + dt.timedelta(days=1), hi)) if lo < hi else 0
    count = working_days_between(a, b)
    assert count.value == (expected if a <= b else -expected)
    assert count.provisional is False


@settings(max_examples=300, deadline=None)
@given(start=ANY, n=st.integers(min_value=-400, max_value=400).filter(bool))
def test_adding_n_then_counting_gives_n_and_never_lands_on_a_rest_day(start, n):
    result = add_working_days(start, n)
    assert working_days_between(start, result.value).value == n
    assert is_workday(result.value)


@settings(max_examples=200, deadline=None)
@given(start=ANY, n=st.integers(min_value=1, max_value=60))
def test_the_result_is_the_first_day_reaching_the_count(start, n):
    result = add_working_days(start, n).value
    assert working_days_between(start, result - dt.timedelta(days=1)).value == n - 1


def test_a_date_in_2027_counts_by_weekday_rule_and_is_flagged_provisional():
    # Friday 2026-12-25 + 10 working days crosses into 2027, which nobody has entered yet.
    result = add_working_days(dt.date(2026, 12, 25), 10)
    assert result.provisional is True
    assert result.value == dt.date(2027, 1, 8)  # weekday rule: 1 January 2027 is counted too
    count = working_days_between(dt.date(2026, 12, 25), dt.date(2027, 1, 8))
    assert count.value == 10 and count.provisional is True


def test_instants_are_counted_in_china_local_time():
    utc = dt.UTC
    # 2026-10-08 20:00 UTC is already Friday 2026-10-09 in Shanghai.
    count = working_days_between(dt.datetime(2026, 10, 8, 1, tzinfo=utc), dt.datetime(2026, 10, 8, 20, tzinfo=utc))
    assert count.value == 1


def test_zero_days_returns_the_start_itself():
    assert add_working_days(dt.date(2026, 10, 3), 0).value == dt.date(2026, 10, 3)


def test_calendar_snapshot_needs_no_database_and_handles_sparse_years():
    calendar = WorkCalendar(known_years=[2030], exceptions={dt.date(2030, 1, 1): False, dt.date(2030, 1, 5): True})
    assert not calendar.is_workday(dt.date(2030, 1, 1))  # a Tuesday holiday
    assert calendar.is_workday(dt.date(2030, 1, 5))  # a swapped Saturday
    assert calendar.add_working_days(dt.date(2029, 12, 31), 1) == calendar.add_working_days(dt.date(2029, 12, 31), 1)
    assert calendar.add_working_days(dt.date(2029, 12, 31), 1).value == dt.date(2030, 1, 2)
    assert calendar.add_working_days(dt.date(2029, 12, 31), 1).provisional is True  # 2029 not entered
    assert calendar.add_working_days(dt.date(2030, 1, 1), 3).provisional is False


def test_a_remembered_answer_is_the_searched_one_and_a_new_calendar_answers_afresh():
    """add_working_days remembers its answers per calendar snapshot: asking again gives the same
    date, and a calendar with a new holiday (a new snapshot) moves the due date."""
    plain = WorkCalendar([2026], {})
    first = plain.add_working_days(dt.date(2026, 6, 1), 5)
    assert plain.add_working_days(dt.date(2026, 6, 1), 5) == first == plain._search(dt.date(2026, 6, 1), 5)
    assert first.value == dt.date(2026, 6, 8)
    with_holiday = WorkCalendar([2026], {dt.date(2026, 6, 3): False})
    assert with_holiday.add_working_days(dt.date(2026, 6, 1), 5).value == dt.date(2026, 6, 9)
