"""What "a day over" means, at the boundaries (docs/supervision.md, “How days are counted”).

Case accepted Mon 2026-10-12; promised limit 5 → due Mon 2026-10-19; statutory 6 → Tue 2026-10-20.
"""

from __future__ import annotations

import pytest

from supervision.models import Alert

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


def _level(case):
    alert = Alert.objects.filter(kind="case_clock", case=case, resolved_at__isnull=True).first()
    return alert.get_level_display() if alert else "—"


def test_levels_day_by_day(demo, frozen, sweep):
    item = factories.publish(factories.definition(promised=5, statutory=6))
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    case.refresh_from_db()
    assert (str(case.promised_due_on), str(case.statutory_due_on)) == ("2026-10-19", "2026-10-20")
    seen = []
    for moment in [("2026-10-14", 23), ("2026-10-15", 0), ("2026-10-16", 12), ("2026-10-17", 12),
                   ("2026-10-18", 23), ("2026-10-19", 23), ("2026-10-20", 0), ("2026-10-21", 12),
                   ("2026-10-22", 0)]:
        day, hour = moment
        frozen.move_to(at(day, hour) if hour else at(day, 0).replace(second=1))
        sweep(kinds=["case_clock"], verify_logs=False, notify=False)
        seen.append((day, _level(case)))
    assert seen == [
        ("2026-10-14", "—"),  # 3 working days left (15, 16, 19): neither 2 nor 20 % of 5
        ("2026-10-15", "预警"),  # 2 left
        ("2026-10-16", "预警"),  # 1 left
        ("2026-10-17", "预警"),  # Saturday: still 1 left — a weekend uses up nothing
        ("2026-10-18", "预警"),
        ("2026-10-19", "预警"),  # the due day itself, to its last minute: 0 left, not over
        ("2026-10-20", "黄牌"),  # one second into the next working day: 1 day over
        ("2026-10-21", "黄牌"),  # 2 over the promised limit, 1 over the statutory one (not more than 1)
        ("2026-10-22", "红牌"),  # 2 over the statutory limit: more than 1
    ]


def test_promised_overrun_beyond_the_item_threshold_is_red(demo, frozen, sweep):
    """Red by the promised limit alone: more than 3 working days over (statutory far away)."""
    item = factories.publish(factories.definition(promised=2, statutory=20))
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")  # due Wed 2026-10-14
    levels = []
    for day in ["2026-10-16", "2026-10-19", "2026-10-20"]:  # 2, 3, 4 working days over
        frozen.move_to(at(day, 9))
        sweep(kinds=["case_clock"], verify_logs=False, notify=False)
        levels.append(_level(case))
    assert levels == ["黄牌", "黄牌", "红牌"]


def test_item_override_changes_the_warning(demo, frozen, sweep):
    doc = factories.definition(promised=10, statutory=20)
    doc["supervision"] = {"warning": {"remaining_days": 5, "remaining_percent": 0}}
    item = factories.publish(doc)
    frozen.move_to(at("2026-10-12", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")  # due 2026-10-26
    frozen.move_to(at("2026-10-19", 9))  # 5 working days left
    sweep(kinds=["case_clock"], verify_logs=False, notify=False)
    assert _level(case) == "预警"


def test_a_year_beyond_the_calendar_does_not_crash(demo, frozen, sweep):
    """Dates in a year with no entered calendar are counted by the weekday rule."""
    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-12-28", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    frozen.move_to(at("2027-01-11", 9))
    sweep(verify_logs=False, notify=False)
    assert _level(case) in {"黄牌", "红牌"}
