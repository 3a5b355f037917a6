from datetime import timedelta

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


class FakeClock:
    def __init__(self):
        self.now = 1000.0

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
    assert "test.ping" in scheduler.tick()  # due at start
    clock.now += 30
    assert "test.ping" not in scheduler.tick()
    clock.now += 31
    assert "test.ping" in scheduler.tick()


def test_a_failing_periodic_task_does_not_stop_the_scheduler(ping_every_minute):
    class BrokenTasks(dict):
        def __missing__(self, key):
            raise RuntimeError("boom")

    class App:
        tasks = BrokenTasks()

    scheduler = LocalScheduler(App(), clock=FakeClock())
    assert "test.ping" in scheduler.tick()  # logged, not raised (other apps register tasks too)
