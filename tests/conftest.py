"""Shared fixtures: named personas from the demo district, time helpers, the browser."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.fixtures.browser", "tests.fixtures.services"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Demo accounts are created in many tests; the production hasher would dominate their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_snapshot():
    """Each test sees the calendar as its own database holds it (tests roll back changes)."""
    from workdays.loader import calendar_changed

    calendar_changed()
    yield
    calendar_changed()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters (progress query) start at zero in each test: all tests share one address."""
    from django.core.cache import caches

    caches["throttles"].clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_runtime_caches():
    """Each test reads definitions and departments from its own database: ids of rolled-back rows
    are reused by the next test's rows, and the engine caches by id (definitions) and code."""
    from runtime.engine import forget_definitions, forget_departments

    forget_definitions()
    forget_departments()
    yield
    forget_definitions()
    forget_departments()


@pytest.fixture
def demo(db):
    """The demo district loaded through the real loaders, as ``python manage.py load_demo`` does."""
    from core.demo import run_demo_loaders

    run_demo_loaders(lambda _msg: None)
    return Personas()


class Personas:
    """Look up the demo accounts by the names the README lists."""

    password = "Demo#2026"

    def __getattr__(self, username):
        from accounts.models import User

        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise AttributeError(username) from None

    def department(self, code):
        from accounts.models import Department

        return Department.objects.get(code=code)


@pytest.fixture(autouse=True)
def _celery_join_flag_reset():
    """Celery marks "inside a task" in one process-wide flag, set and restored around every eager
    run (``Task.apply`` → ``denied_join_result``). That is not thread-safe: the PostgreSQL
    concurrency tests submit from many threads at once, each running its notifications task
    eagerly on commit, and interleaved restores can leave the flag set, so a later test's
    ``result.get()`` is refused ("Never call result.get() within a task!"). The platform itself
    never waits on a result; only tests do."""
    from celery._state import _set_task_join_will_block

    yield
    _set_task_join_will_block(False)
