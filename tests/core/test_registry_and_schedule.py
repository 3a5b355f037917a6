import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from core.registry import DuplicateKey, Registry, UnknownKey
from core.schedule import LocalScheduler, PeriodicTask, periodic_tasks


def test_registry_refuses_duplicates_and_names_unknown_keys():
    registry = Registry("步骤类型")
    registry.register("accept", 1)
    with pytest.raises(DuplicateKey, match="步骤类型中已登记“accept”"):
        registry.register("accept", 2)
    with pytest.raises(UnknownKey, match="步骤类型中没有“approve”"):
        registry.get("approve")
    assert registry.get("accept") == 1 and "accept" in registry and registry.keys() == ["accept"]


SHANGHAI = ZoneInfo("Asia/Shanghai")


class FakeClock:
    def __init__(self, now=dt.datetime(2026, 10, 13, 21, 20, tzinfo=SHANGHAI)):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def ping_every_minute():
    periodic_tasks.register("test.ping", PeriodicTask(task="config.ping", every=timedelta(minutes=1)))
    yield
    periodic_tasks.unregister("test.ping")


def test_local_scheduler_runs_each_task_when_due_and_not_before(ping_every_minute):
    from config.celery import app

    clock = FakeClock()
    scheduler = LocalScheduler(app, clock=clock)
    assert "test.ping" in scheduler.tick()  # a frequent duty is due at start
    clock.now += timedelta(seconds=30)
    assert "test.ping" not in scheduler.tick()
    clock.now += timedelta(seconds=31)
    assert "test.ping" in scheduler.tick()


@pytest.fixture
def ping_at_two():
    periodic_tasks.register("test.daily", PeriodicTask(task="config.ping", every=timedelta(days=1), at=dt.time(2, 0)))
    yield
    periodic_tasks.unregister("test.daily")


def test_a_daily_duty_runs_at_its_time_of_day_in_shanghai_not_at_start(ping_at_two):
    from config.celery import app

    clock = FakeClock(dt.datetime(2026, 10, 13, 21, 20, tzinfo=SHANGHAI))
    scheduler = LocalScheduler(app, clock=clock)
    assert "test.daily" not in scheduler.tick()  # started in the evening: nothing daily runs
    clock.now = dt.datetime(2026, 10, 14, 1, 59, 59, tzinfo=SHANGHAI)
    assert "test.daily" not in scheduler.tick()
    clock.now = dt.datetime(2026, 10, 13, 18, 0, 3, tzinfo=dt.UTC)  # 02:00:03 in Shanghai
    assert "test.daily" in scheduler.tick()
    clock.now += timedelta(hours=12)
    assert "test.daily" not in scheduler.tick()  # once a day
    clock.now = dt.datetime(2026, 10, 15, 2, 0, tzinfo=SHANGHAI)
    assert "test.daily" in scheduler.tick()


def test_beat_and_the_local_scheduler_agree_on_the_next_run_of_every_duty():
    """Beat's crontab (Asia/Shanghai) and PeriodicTask.next_run name the same moment."""
    from config.celery import app, beat_schedule_of

    after = dt.datetime(2026, 10, 13, 21, 20, tzinfo=SHANGHAI)
    for key, entry in periodic_tasks.items():
        schedule = beat_schedule_of(entry, app)
        if entry.at is None:
            assert schedule == entry.every, key
            continue
        assert schedule.tz == SHANGHAI
        expected = dt.datetime.combine(dt.date(2026, 10, 14), entry.at, tzinfo=SHANGHAI)
        assert entry.next_run(after) == expected, key
        start, delta, _now = schedule.remaining_delta(after)
        assert start + delta == expected, key


def test_a_time_of_day_is_only_for_daily_duties():
    with pytest.raises(ValueError, match="每日任务"):
        PeriodicTask(task="config.ping", every=timedelta(hours=1), at=dt.time(2, 0))


def test_a_failing_periodic_task_does_not_stop_the_scheduler(ping_every_minute):
    class BrokenTasks(dict):
        def __missing__(self, key):
            raise RuntimeError("boom")

    class App:
        tasks = BrokenTasks()

    scheduler = LocalScheduler(App(), clock=FakeClock())
    assert "test.ping" in scheduler.tick()  # logged, not raised (other apps register tasks too)
