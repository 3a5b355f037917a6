"""Settings profiles, the OpenAPI document and its browsable docs, static files."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-9c1f0e7b2a",
    "ALLOWED_HOSTS": "spj.jiangbin.gov.cn",
    "DATABASE_URL": "postgres://platform:secret@127.0.0.1:5432/platform",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "CASE_LOG_KEYS": "k2026=case-log-key-of-2026-with-enough-entropy-5d2e",
    "CERTIFICATE_KEYS": "c2026=certificate-key-of-2026-with-enough-entropy-7f1a",
}


def manage(*args, env=None):
    # A fresh process with this test process's environment, less what other tests set for themselves.
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**base, **(env or {})},
    )


def test_check_deploy_reports_nothing_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_case_log_key():
    without = {k: v for k, v in PRODUCTION.items() if k != "CASE_LOG_KEYS"}
    result = manage("check", env={**without, "CASE_LOG_KEYS": ""})
    assert result.returncode != 0 and "CASE_LOG_KEYS" in result.stderr
    two = manage("check", env={**PRODUCTION, "CASE_LOG_KEYS": "a=one-key-xxxxxxxx,b=two-key-yyyyyyyy"})
    assert two.returncode != 0 and "CASE_LOG_KEY_ID" in two.stderr  # which one seals is never guessed
    chosen = manage("check", env={**PRODUCTION, "CASE_LOG_KEYS": "a=one-key-xxxxxxxx,b=two-key-yyyyyyyy",
                                  "CASE_LOG_KEY_ID": "b"})
    assert chosen.returncode == 0, chosen.stderr


def test_production_refuses_to_start_without_a_certificate_key():
    result = manage("check", env={**PRODUCTION, "CERTIFICATE_KEYS": ""})
    assert result.returncode != 0 and "CERTIFICATE_KEYS" in result.stderr
    two = manage("check", env={**PRODUCTION, "CERTIFICATE_KEYS": "a=one-key-xxxxxxxx,b=two-key-yyyyyyyy"})
    assert two.returncode != 0 and "CERTIFICATE_KEY_ID" in two.stderr


def test_check_deploy_does_complain_about_the_development_defaults():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={"DEBUG": "True"})
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on


def test_settings_follow_the_client_choices(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert ("en", "English") in settings.LANGUAGES


@pytest.mark.django_db
def test_openapi_document_is_served(client, demo):
    client.force_login(demo.admin)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/departments/" in body["paths"]
    assert "/api/v1/workdays/add/" in body["paths"]


@pytest.mark.django_db
def test_api_docs_page_loads_its_assets_from_the_platform_itself(client, demo):
    client.force_login(demo.admin)
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert all(not a.startswith(("http://", "https://", "//")) for a in assets), assets
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset


@pytest.mark.django_db
def test_the_stylesheet_is_served_by_the_platform(client):
    response = client.get("/static/css/platform.css")
    assert response.status_code == 200


def test_no_template_links_to_the_internet():
    offenders = []
    for template in (ROOT / "platform").rglob("*.html"):
        for match in re.finditer(r'(?:src|href)=["\'](https?:)?//', template.read_text(encoding="utf-8")):
            offenders.append(f"{template}: {match.group(0)}")
    assert offenders == []


def test_celery_runs_tasks_eagerly_in_the_default_profile():
    from config.celery import ping

    result = ping.delay().get(timeout=5)
    assert result["pong"] is True
    assert result["platform_module"].endswith("platform.py")


@pytest.mark.django_db
def test_an_oversized_json_body_gets_the_platform_error_shape(client, demo, settings):
    client.force_login(demo.admin)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/departments/", '{"name": "' + "长" * 2000 + '"}', content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json() == {"code": "too_large", "message": "提交的数据过大", "details": {}}
