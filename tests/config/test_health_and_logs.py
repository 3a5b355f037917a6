"""/healthz, the client's address behind the proxy, and the JSON log lines of requests and tasks."""

import json
import logging

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory

from config.logs import JsonFormatter


@pytest.mark.django_db
def test_healthz_answers_ok_for_every_part_without_host_check_or_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a load balancer asks by address, over HTTP
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok: eager"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_is_503_naming_the_failing_part_and_no_secret(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from celery import current_app

    monkeypatch.setattr(current_app.conf, "broker_url", "redis://:s3cret-pass@127.0.0.1:1/0")

    def broken_cursor():
        raise OperationalError('connection to "db.internal" failed: password s3cret-pass')

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["cache"] == "ok" and body["checks"]["broker"].startswith("error: ")
    assert "s3cret" not in response.content.decode() and "db.internal" not in response.content.decode()


def test_the_client_address_is_the_proxys_only_when_configured(settings):
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert get_client_ip_address(request) == "127.0.0.1"  # not configured: a client could forge it
    settings.TRUSTED_PROXY_COUNT = 1
    # what login throttling counts by: the address nginx appended, not what the client wrote
    assert get_client_ip_address(request) == "203.0.113.9"


def json_lines(caplog, logger):
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == logger]


@pytest.mark.django_db
def test_one_json_line_per_request_with_the_case_number(client, demo, caplog, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(demo.handler)
    with caplog.at_level(logging.INFO, logger="platform.request"):
        client.get("/cases/JB-NOSUCH-1/", HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_X_REQUEST_ID="req-42")
    [line] = json_lines(caplog, "platform.request")
    assert line["path"] == "/cases/JB-NOSUCH-1/" and line["case"] == "JB-NOSUCH-1"
    assert (line["method"], line["status"], line["user"], line["client"], line["request_id"]) == \
        ("GET", 404, "handler", "203.0.113.9", "req-42")
    assert line["level"] == "INFO" and line["time"].endswith("+00:00") and line["duration_ms"] >= 0


@pytest.mark.django_db
def test_one_json_line_per_task_run(caplog):
    from config.celery import ping

    with caplog.at_level(logging.INFO, logger="platform.task"):
        ping.apply()
    [line] = json_lines(caplog, "platform.task")
    assert (line["task"], line["state"], line["retries"]) == ("config.ping", "SUCCESS", 0)
    assert line["task_id"] and line["duration_ms"] >= 0
