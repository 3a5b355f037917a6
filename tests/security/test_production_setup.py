"""Finding 11 of issue 12: no production start without a key of its own; login throttling per
address across usernames; the client's address behind a trusted proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.client import client_address
from tests.config.test_settings_and_api_docs import PRODUCTION, manage

PASSWORD = "Demo#2026"


def without(*names) -> dict:
    return {k: v for k, v in PRODUCTION.items() if k not in names}


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = manage("check", env=without("SECRET_KEY"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_production_refuses_the_committed_development_key():
    from config.settings import DEVELOPMENT_SECRET_KEY

    result = manage("check", env={**PRODUCTION, "SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def login(client, username, password, address="203.0.113.7"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_failures_across_usernames_lock_the_address(client, demo, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    for username in ("clerk", "handler", "chief", "leader", "editor"):  # one try each
        assert login(client, username, "wrong-password").status_code == 200
    assert login(client, "legal", "wrong-password").status_code == 429  # the sixth locks the address
    assert login(client, "supervisor", PASSWORD).status_code == 429  # even the right password now
    assert "_auth_user_id" not in client.session
    assert login(client, "supervisor", PASSWORD, address="198.51.100.9").status_code == 302  # another address


@pytest.mark.django_db
def test_logging_in_to_ones_own_account_does_not_clear_the_address_count(client, demo, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    for username in ("clerk", "handler", "chief"):
        login(client, username, "wrong-password")
    assert login(client, "zhangsan", PASSWORD).status_code == 302
    client.logout()
    assert login(client, "leader", "wrong-password").status_code == 429  # the fourth failure still counts
    assert login(client, "zhangsan", PASSWORD).status_code == 429


def test_the_client_address_behind_trusted_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.7"  # the spoofed left-most entry is not believed
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2")
    assert client_address(request) == "203.0.113.7"
