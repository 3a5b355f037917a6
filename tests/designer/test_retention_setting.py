"""The item's archive retention (保管期限): chosen on the public-information page, absent (= 30年)
in older definitions, refused with its path when not one of 永久 / 30年 / 10年."""

from __future__ import annotations

import copy

import pytest

from core.errors import InvalidInput
from designer.models import ApprovalItem
from designer.validation import validate_definition

from .test_correction_clock_setting import _public_data

pytestmark = pytest.mark.django_db
CODE = "JB-SCJG-XK-0001"


def test_public_page_sets_the_retention_and_writes_nothing_for_the_default(client, demo):
    client.force_login(demo.editor)
    assert "档案保管期限" in client.get(f"/designer/items/{CODE}/public/").content.decode()
    assert client.post(f"/designer/items/{CODE}/public/", _public_data(client, CODE, retention="永久")).status_code == 302
    assert ApprovalItem.objects.get(code=CODE).definition["retention"] == "永久"
    assert "永久" in client.get(f"/designer/items/{CODE}/").content.decode()
    client.post(f"/designer/items/{CODE}/public/", _public_data(client, CODE, retention="30年"))
    assert "retention" not in ApprovalItem.objects.get(code=CODE).definition


def test_an_unknown_period_is_refused_with_its_path(demo):
    doc = copy.deepcopy(ApprovalItem.objects.get(code=CODE).definition)
    doc["retention"] = "5年"
    with pytest.raises(InvalidInput) as refused:
        validate_definition(doc)
    assert "$.retention" in str(refused.value.details)
