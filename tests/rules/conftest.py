"""Fixtures for the rules engine's tests: a fixed "today", clean caches, temporary tables."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _fresh_rule_caches():
    from rules.cache import clear_caches

    clear_caches()
    yield
    clear_caches()


@contextmanager
def temporary_tables(*models):
    """Create tables for models defined under ``isolate_apps`` inside the test's transaction.

    The editor is used without its context manager on purpose: entering it would open its own
    transaction (and, on SQLite, refuse to run inside the test's atomic block). Both SQLite and
    PostgreSQL roll DDL back with the test's transaction, so the tables vanish afterwards.
    """
    from django.db import connection

    editor = connection.schema_editor(atomic=False)
    editor.deferred_sql = []  # normally set up by __enter__
    for model in models:
        editor.create_model(model)
    for statement in editor.deferred_sql:  # indexes and foreign keys
        editor.execute(statement)
    yield


@pytest.fixture
def editor(db):
    """A staff member who writes rules (no password: tests log in with force_login)."""
    from accounts.models import User

    return User.objects.create(username="rule-editor", full_name="李编辑", kind=User.Kind.STAFF)


@pytest.fixture
def applicant_user(db):
    from accounts.models import User

    return User.objects.create(username="rule-applicant", full_name="张三", kind=User.Kind.APPLICANT)
