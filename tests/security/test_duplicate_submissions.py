"""Finding 12 of issue 12: a double click (or a retried request) makes one case."""

from __future__ import annotations

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from runtime import services
from runtime.models import Case
from tests.runtime import factories
from tests.runtime.test_concurrency import run_threads


def application() -> dict:
    return {"company": "江滨小吃店", "business": "热食类食品制售", "amount": "800"}


@pytest.mark.django_db
def test_a_double_click_on_the_application_form_makes_one_case(demo, item, frozen):
    client = Client()
    client.force_login(demo.zhangsan)
    page = client.get(f"/hall/items/{item.code}/apply/").content.decode()
    token = re.search(r'name="submission_token" value="([0-9a-f]{32})"', page).group(1)
    assert token not in client.get(f"/hall/items/{item.code}/apply/").content.decode()  # one per rendered form

    def send():
        pdf = SimpleUploadedFile("申请书.pdf", factories.PDF, content_type="application/pdf")
        return client.post(f"/hall/items/{item.code}/apply/",
                           {**application(), "material:application": pdf, "submission_token": token})

    first, second = send(), send()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_the_api_takes_an_idempotency_key(demo, item, frozen):
    api = APIClient()
    api.force_authenticate(demo.zhangsan)

    def send(key):
        pdf = SimpleUploadedFile("申请书.pdf", factories.PDF, content_type="application/pdf")
        return api.post("/api/v1/cases/", {"item": item.code, "form_data": json.dumps(factories.good_data()),
                                           "material:application": pdf}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)

    first, retried = send("retry-0001-abcdef"), send("retry-0001-abcdef")
    assert first.status_code == retried.status_code == 201
    assert first.json()["number"] == retried.json()["number"] and Case.objects.count() == 1
    assert send("retry-0002-abcdef").json()["number"] != first.json()["number"]  # a new key is a new application
    refused = send("bad key!")
    assert refused.status_code == 400 and "submission_token" in refused.json()["details"]


@pytest.mark.django_db
def test_the_same_token_from_someone_else_is_another_submission(demo, item, frozen):
    def submit(actor):
        return services.case_submit(actor=actor, item=item, form_data=factories.good_data(),
                                    materials=[services.MaterialInput("application", "a.pdf", factories.PDF)],
                                    submission_token="double-click-0001")

    first = submit(demo.zhangsan)
    assert submit(demo.zhangsan) == first
    assert submit(demo.lisi) != first
    assert Case.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL（并发写入）")
def test_fifty_identical_submissions_at_once_make_one_case(demo):
    item = factories.publish(factories.definition())
    results = run_threads([
        lambda: services.case_submit(actor=demo.zhangsan, item=item, form_data=factories.good_data(),
                                     materials=[services.MaterialInput("application", "a.pdf", factories.PDF)],
                                     submission_token="fifty-clicks-0001")
        for _ in range(50)])
    assert [r for r in results if not isinstance(r, Case)] == []
    assert len({r.pk for r in results}) == 1
    assert Case.objects.count() == 1
