"""Beat's database scheduler, fed by the registry: daily duties at their time in Asia/Shanghai,
the frequent ones due at start, last runs kept across restarts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.schedule import periodic_tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db(transaction=True)


def scheduler():
    from config.beat import RegistryScheduler
    from config.celery import app

    app.finalize()
    return RegistryScheduler(app=app)


def test_every_duty_is_kept_in_the_database_daily_ones_as_crontabs_in_shanghai():
    from django_celery_beat.models import PeriodicTask

    with time_machine.travel(dt.datetime(2026, 10, 13, 21, 20, tzinfo=SHANGHAI)):
        scheduler()
    rows = {row.name: row for row in PeriodicTask.objects.select_related("crontab", "interval")}
    for key, duty in periodic_tasks.items():
        row = rows[key]
        assert row.task == duty.task and row.enabled
        if duty.at is None:
            assert row.crontab is None and row.interval.every == duty.every.total_seconds()
        else:
            assert row.interval is None
            assert (row.crontab.hour, row.crontab.minute, str(row.crontab.timezone)) == \
                (str(duty.at.hour), str(duty.at.minute), "Asia/Shanghai")


def test_frequent_duties_are_due_at_start_daily_ones_at_their_time_and_a_restart_moves_nothing():
    with time_machine.travel(dt.datetime(2026, 10, 13, 21, 20, tzinfo=SHANGHAI), tick=False):
        beat = scheduler()
        entries = beat.schedule
        assert entries["supervision.sweep"].is_due().is_due
        assert entries["runtime.deem_accepted"].is_due().is_due
        # (django-celery-beat loads crontab entries only within two hours of their hour)
        assert "supervision.exchange_daily" not in entries or not entries["supervision.exchange_daily"].is_due().is_due
    with time_machine.travel(dt.datetime(2026, 10, 14, 2, 0, 1, tzinfo=SHANGHAI), tick=False):
        restarted = scheduler()  # a restart in the night: the exchange still runs at 02:00
        assert restarted.schedule["supervision.exchange_daily"].is_due().is_due
        assert not restarted.schedule["supervision.performance_snapshot"].is_due().is_due
