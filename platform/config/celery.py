"""The Celery application.

Workers and beat start with ``celery -A config ...`` from the ``platform/`` source root (the
Makefile and docs/operations.md show how). Tasks live in each app's ``tasks.py``.
"""

import logging
import os
import time

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("approval_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_schedule_of(entry, app):
    """A registered duty as Celery beat's schedule: a crontab at its time of day (in the app's
    time zone, Asia/Shanghai) for a daily duty, its interval for a frequent one."""
    if entry.at is not None:
        return crontab(minute=entry.at.minute, hour=entry.at.hour, app=app)
    return entry.every


@app.on_after_finalize.connect
def _register_periodic_tasks(sender, **kwargs):
    """Hand every periodic task the apps registered (core.schedule) to Celery beat; the
    database scheduler (config.beat) copies them into its tables at each start."""
    from core.schedule import periodic_tasks

    for key, entry in periodic_tasks.items():
        sender.add_periodic_task(beat_schedule_of(entry, sender), sender.signature(entry.task), name=key)


# One log line per task run (config/logs.py), with the case number when the task names one.
_task_log = logging.getLogger("platform.task")
_running: dict[str, tuple] = {}


@task_prerun.connect
def _task_started(task_id=None, task=None, kwargs=None, **_):
    from .logs import bind

    _running[task_id] = (bind(task=task.name, task_id=task_id, case=(kwargs or {}).get("case_number")),
                         time.perf_counter())


@task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **_):
    from .logs import context

    token, started = _running.pop(task_id, (None, time.perf_counter()))
    try:
        _task_log.info("%s %s", task.name, state, extra={
            **(context.get() or {}), "state": state, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "retries": task.request.retries})
    finally:
        if token is not None:
            context.reset(token)


@app.task(name="config.ping")
def ping() -> dict:
    """Answer with facts about the worker: used by health checks and the integration test."""
    import platform as stdlib_platform
    import socket

    return {
        "pong": True,
        "host": socket.gethostname(),
        "python": stdlib_platform.python_version(),
        "platform_module": getattr(stdlib_platform, "__file__", ""),
    }
