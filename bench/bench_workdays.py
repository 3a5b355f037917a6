"""Working-day arithmetic: the platform's snapshot against chinese-calendar's day-by-day loop.

Prints microseconds per "add 20 working days" and per "count working days over a year".
"""

import datetime as dt
import random
import timeit

import _setup

_setup.migrate()

import chinese_calendar  # noqa: E402

from workdays.loader import build_calendar  # noqa: E402

calendar = build_calendar()
rng = random.Random(7)
starts = [dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 900)) for _ in range(2000)]


def platform_add():
    for d in starts:
        calendar.add_working_days(d, 20)


def package_add():
    for d in starts[:200]:  # the package is slow: fewer calls, scaled below
        day, left = d, 20
        while left:
            day += dt.timedelta(days=1)
            if chinese_calendar.is_workday(day):
                left -= 1


def platform_between():
    for d in starts:
        calendar.working_days_between(d, d + dt.timedelta(days=365))


# Correctness first: both agree on every sampled start.
for d in starts[:200]:
    day, left = d, 20
    while left:
        day += dt.timedelta(days=1)
        left -= chinese_calendar.is_workday(day)
    assert calendar.add_working_days(d, 20).value == day, d

add_us = min(timeit.repeat(platform_add, number=1, repeat=5)) / len(starts) * 1e6
pkg_us = min(timeit.repeat(package_add, number=1, repeat=3)) / 200 * 1e6
between_us = min(timeit.repeat(platform_between, number=1, repeat=5)) / len(starts) * 1e6

print(f"{'operation':<40}{'µs per call':>14}")
print(f"{'add 20 working days (platform)':<40}{add_us:>14.2f}")
print(f"{'add 20 working days (chinese-calendar)':<40}{pkg_us:>14.2f}")
print(f"{'working days over 365 days (platform)':<40}{between_us:>14.2f}")
_setup.bench_line("workdays.add_20_us", add_us, "us")
_setup.bench_line("workdays.add_20_package_loop_us", pkg_us, "us")
_setup.bench_line("workdays.between_365_us", between_us, "us")
