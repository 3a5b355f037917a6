"""Every duty the docs put on a date is registered to run by itself (serve and Celery beat alike).

The list of duties is read from docs/operations.md, "Scheduled duties", so the docs and the
registry cannot drift apart."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

from core.schedule import periodic_tasks

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
UNITS = {"minute": "minutes", "minutes": "minutes", "hour": "hours", "hours": "hours", "day": "days", "days": "days"}


def documented_duties() -> dict[str, tuple[str, timedelta, time | None]]:
    """key → (task, every, time of day or None for "at start")."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("## Scheduled duties", 1)[1].split("\n## ", 1)[0]
    duties = {}
    for key, task, every, at in re.findall(r"^\| `([\w.]+)` \| `([\w.]+)` \| ([^|]+?) \| ([^|]+?) \|",
                                           section, flags=re.M):
        number, unit = every.split()
        duties[key] = (task, timedelta(**{UNITS[unit]: int(number)}),
                       None if at == "at start" else time.fromisoformat(at))
    return duties


def test_every_documented_scheduled_duty_is_registered_and_every_registered_one_documented():
    from config.celery import app

    duties = documented_duties()
    assert "runtime.deem_accepted" in duties and "supervision.exchange_daily" in duties
    registered = {key: (entry.task, entry.every, entry.at) for key, entry in periodic_tasks.items()}
    assert registered == duties
    for task, _every, _at in duties.values():
        assert task in app.tasks, f"{task} 不是已登记的 Celery 任务"


def test_celery_beat_is_given_every_registered_duty():
    from config.celery import app

    app.finalize()
    schedule = app.conf.beat_schedule
    assert {key for key in periodic_tasks.keys()} <= set(schedule)
    assert schedule["runtime.deem_accepted"]["task"] == "runtime.deem_accepted"
