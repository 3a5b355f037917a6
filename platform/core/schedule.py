"""Periodic work, registered by the apps that own it, run by Celery beat or in-process.

An app registers ``PeriodicTask(task="runtime.tasks.deem_acceptances", every=timedelta(minutes=5))``
under a key in its ``AppConfig.ready()``. In the production profile ``config.celery`` hands every
entry to Celery beat. In the default profile (no broker) ``python manage.py serve`` runs a small
in-process scheduler thread that calls the same tasks eagerly, so ``make run`` needs no services.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from .registry import Registry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    task: str  # the Celery task's registered name
    every: timedelta
    description: str = ""


periodic_tasks: Registry[PeriodicTask] = Registry("定时任务")


class LocalScheduler:
    """Runs due periodic tasks in this process. ``tick()`` is the whole algorithm; ``start()``
    calls it in a daemon thread. A failing task is logged and tried again at its next turn."""

    def __init__(self, app, *, clock=time.monotonic):
        self.app = app
        self.clock = clock
        self.next_run: dict[str, float] = {}
        self._stop = threading.Event()

    def tick(self) -> list[str]:
        now = self.clock()
        ran = []
        for key, entry in periodic_tasks.items():
            due = self.next_run.get(key, now)
            if now < due:
                continue
            self.next_run[key] = now + entry.every.total_seconds()
            try:
                self.app.tasks[entry.task].apply(throw=True)
            except Exception:
                log.exception("定时任务 %s 执行失败", key)
            ran.append(key)
        return ran

    def start(self, *, interval: float = 5.0) -> threading.Thread:
        def loop():
            while not self._stop.wait(interval):
                self.tick()

        thread = threading.Thread(target=loop, name="platform-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
