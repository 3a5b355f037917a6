"""The Celery application.

Workers and beat start with ``celery -A config ...`` from the ``platform/`` source root (the
Makefile and docs/operations.md show how). Tasks live in each app's ``tasks.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("approval_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _register_periodic_tasks(sender, **kwargs):
    """Hand every periodic task the apps registered (core.schedule) to Celery beat."""
    from core.schedule import periodic_tasks

    for key, entry in periodic_tasks.items():
        sender.add_periodic_task(entry.every.total_seconds(), sender.signature(entry.task), name=key)


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
