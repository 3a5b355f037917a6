"""Periodic work, registered by the apps that own it, run by Celery beat or in-process.

An app registers ``PeriodicTask(task="supervision.sweep", every=timedelta(minutes=15))`` (a
frequent duty: due at start, then every interval) or ``PeriodicTask(task=…, every=timedelta(days=1),
at=time(2, 0))`` (a daily duty at a fixed time of day in ``settings.TIME_ZONE``, Asia/Shanghai)
under a key in its ``AppConfig.ready()``. In the production profile ``config.celery`` hands every
entry to Celery beat (``config.beat``: the schedule is kept in the database). In the default
profile (no broker) ``python manage.py serve`` runs ``LocalScheduler``, a small in-process
scheduler thread that calls the same tasks eagerly at the same times, so ``make run`` needs no
services. ``PeriodicTask.next_run`` is the one definition of "when next" for both.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from django.utils import timezone

from .registry import Registry

log = logging.getLogger(__name__)

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class PeriodicTask:
    task: str  # the Celery task's registered name
    every: dt.timedelta
    description: str = ""
    at: dt.time | None = None  # daily duties: the time of day (settings.TIME_ZONE) they run at

    def __post_init__(self):
        if self.at is not None and self.every != DAY:
            raise ValueError(f"{self.task}: 定点执行（at）只用于每日任务")

    def next_run(self, after: dt.datetime) -> dt.datetime:
        """The first run strictly after ``after`` (aware): the next ``at`` of the local day, or
        ``after`` plus the interval for a frequent duty."""
        if self.at is None:
            return after + self.every
        local = timezone.localtime(after)
        candidate = dt.datetime.combine(local.date(), self.at, tzinfo=local.tzinfo)
        return candidate if candidate > after else candidate + DAY


periodic_tasks: Registry[PeriodicTask] = Registry("定时任务")


class LocalScheduler:
    """Runs due periodic tasks in this process. ``tick()`` is the whole algorithm; ``start()``
    calls it in a daemon thread. A frequent duty is due at start, a daily one at its time of day
    (as beat runs them). A failing task is logged and tried again at its next turn."""

    def __init__(self, app, *, clock=timezone.now):
        self.app = app
        self.clock = clock
        self.next_run: dict[str, dt.datetime] = {}
        self._stop = threading.Event()

    def tick(self) -> list[str]:
        now = self.clock()
        ran = []
        for key, entry in periodic_tasks.items():
            due = self.next_run.setdefault(key, now if entry.at is None else entry.next_run(now))
            if now < due:
                continue
            self.next_run[key] = entry.next_run(now)
            try:
                self.app.tasks[entry.task].apply(throw=True)
            except Exception:
                log.exception("定时任务 %s 执行失败", key)
            ran.append(key)
        return ran

    def start(self, *, interval: float = 5.0) -> threading.Thread:
        def loop():
            self.tick()
            while not self._stop.wait(interval):
                self.tick()

        thread = threading.Thread(target=loop, name="platform-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
