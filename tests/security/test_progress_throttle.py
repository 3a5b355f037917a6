"""Finding 10 of issue 12: the progress query cannot be brute-forced (per address and per case)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.runtime.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo, item, frozen):
    return submit(demo, item)


@pytest.fixture
def limits(settings):
    settings.PROGRESS_QUERY_RATE_PER_ADDRESS = "8/h"
    settings.PROGRESS_QUERY_RATE_PER_CASE = "5/h"
    return settings


def page(client, number, code, address="203.0.113.7"):
    return client.get("/progress/", {"number": number, "code": code}, REMOTE_ADDR=address)


def api(client, number, code, address="203.0.113.7"):
    return client.get("/api/v1/progress/", {"number": number, "code": code}, REMOTE_ADDR=address)


def test_wrong_number_and_wrong_code_are_answered_alike(case):
    client = Client()
    wrong_code, wrong_number = page(client, case.number, "000000"), page(client, "JB-XX-20260302-9999", "000000")
    assert wrong_code.status_code == wrong_number.status_code == 200
    message = "办件编号或查询验证码不正确"
    assert message in wrong_code.content.decode() and message in wrong_number.content.decode()
    assert api(client, case.number, "000000").json() == api(client, "JB-XX-20260302-9999", "000000").json()


def test_guessing_codes_for_one_case_is_stopped_from_any_address(case, limits):
    client = Client()
    for i in range(5):
        assert page(client, case.number, f"{i:06d}", address=f"198.51.100.{i}").status_code == 200
    stopped = page(client, case.number, case.verification_code, address="198.51.100.99")  # even the right code
    assert stopped.status_code == 429
    assert "查询过于频繁" in stopped.content.decode() and case.unit_name not in stopped.content.decode()
    assert api(client, case.number, case.verification_code, address="198.51.100.98").status_code == 429


def test_one_address_guessing_many_cases_is_stopped(case, limits):
    client = Client()
    for i in range(8):
        assert api(client, f"JB-XX-20260302-{i:04d}", "123456").status_code == 404
    stopped = api(client, case.number, case.verification_code)
    assert stopped.status_code == 429 and stopped.json()["code"] == "throttled"
    assert page(client, case.number, case.verification_code, address="192.0.2.1").status_code == 200  # others go on
