"""The public record on each guide, computed by hand for a small set of cases (March 2026 and
June 2025 have no holidays in the ranges used; 2025-06-02 would be 端午节, so June starts on the 9th)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from runtime.models import Case, CaseState
from supervision.item_records import item_records_refresh, window_start
from supervision.models import CaseRating, ItemRecord

from .conftest import submit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 31)
D = dt.date.fromisoformat


def _ended(demo, item, *, accepted, completed, promised, statutory, paused=0, state=CaseState.DELIVERED):
    case = submit(demo, item)
    Case.objects.filter(pk=case.pk).update(state=state, decision="approved", accepted_on=D(accepted),
                                           completed_on=D(completed), promised_due_on=D(promised),
                                           statutory_due_on=D(statutory), paused_days=paused)
    return case


def _rate(demo, case, grade):
    CaseRating.objects.create(case=case, grade=grade, rated_by=demo.zhangsan, rated_at=timezone.now())


@pytest.fixture
def cases(demo, item, frozen):
    a = _ended(demo, item, accepted="2026-03-02", completed="2026-03-06", promised="2026-03-16",
               statutory="2026-03-30")  # 4 working days, on time
    b = _ended(demo, item, accepted="2026-03-09", completed="2026-03-27", promised="2026-03-20",
               statutory="2026-04-03", paused=2, state=CaseState.COMPLETED)  # 14 − 2 paused = 12, late
    _ended(demo, item, accepted="2025-06-09", completed="2025-06-11", promised="2025-06-17",
           statutory="2025-06-27")  # 2, on time
    _ended(demo, item, accepted="2025-03-17", completed="2025-03-20", promised="2025-03-28",
           statutory="2025-04-11")  # before the 12 months
    refused = submit(demo, item)
    Case.objects.filter(pk=refused.pk).update(state=CaseState.REFUSED, completed_on=D("2026-03-03"))
    submit(demo, item)  # still open
    _rate(demo, a, 5)
    _rate(demo, b, 2)
    return item


def test_window_is_the_last_twelve_months():
    assert window_start(TODAY) == dt.date(2025, 4, 1)
    assert window_start(dt.date(2028, 2, 29)) == dt.date(2027, 3, 1)


def test_figures_match_the_hand_count(cases):
    assert item_records_refresh(today=TODAY) >= 1
    record = ItemRecord.objects.get(item=cases)
    assert record.completed == 3
    assert record.average_days == 6.0  # (4 + 12 + 2) / 3
    assert (record.statutory_limit_days, record.promised_limit_days) == (20, 10)
    assert (record.on_time, record.within_statutory, record.on_time_rate) == (2, 3, 66.7)
    assert (record.ratings, record.satisfied, record.satisfaction_rate) == (2, 1, 50.0)
    months = {m["month"]: (m["completed"], m["on_time"]) for m in record.months}
    assert list(months)[0] == "2025-04" and list(months)[-1] == "2026-03" and len(months) == 12
    assert months["2026-03"] == (2, 1) and months["2025-06"] == (1, 1)
    assert sum(n for n, _ in months.values()) == 3
    assert record.chart_svg.startswith("<svg") and "<script" not in record.chart_svg


def test_refresh_is_idempotent_and_follows_new_cases(cases, demo):
    item_records_refresh(today=TODAY)
    item_records_refresh(today=TODAY)
    assert ItemRecord.objects.filter(item=cases).count() == 1
    _ended(demo, cases, accepted="2026-03-23", completed="2026-03-24", promised="2026-04-03", statutory="2026-04-17")
    assert ItemRecord.objects.get(item=cases).completed == 3  # stored: a page view computes nothing
    item_records_refresh(today=TODAY)
    assert ItemRecord.objects.get(item=cases).completed == 4


def test_the_guide_shows_the_stored_record(cases, client):
    page = client.get(f"/hall/items/{cases.code}/").content.decode()
    assert "近12个月办理情况" not in page  # not computed yet
    item_records_refresh(today=TODAY)
    page = client.get(f"/hall/items/{cases.code}/").content.decode()
    assert "近12个月办理情况" in page and "3 件" in page and "6.0 个工作日" in page
    assert "66.7%" in page and "50.0%" in page and "法定时限 20 个工作日" in page and "<svg" in page


def test_the_daily_duty_is_registered():
    from core.schedule import periodic_tasks

    duty = periodic_tasks.get("supervision.item_records")
    assert duty.every == dt.timedelta(days=1) and duty.at == dt.time(1, 30)
