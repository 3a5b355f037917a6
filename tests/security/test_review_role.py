"""Finding 3 of issue 12: publishing and retiring are the legal office's, for everyone."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from core.errors import AccessDenied
from designer.models import ApprovalItem, ItemState
from designer.services import item_publish, item_retire, item_submit_for_review, item_update
from tests.designer.factories import sample_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(demo):
    return User.objects.create_superuser("root", password="Root#2026x")


def test_the_superuser_neither_publishes_nor_retires(demo, superuser):
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    item_update(actor=demo.editor, item=item, definition=sample_definition())
    item_submit_for_review(actor=demo.editor, item=item)
    for who in (superuser, demo.admin):
        assert who.is_superuser
        with pytest.raises(AccessDenied):
            item_publish(actor=who, item=item, opinion="同意")
        with pytest.raises(AccessDenied):
            item_retire(actor=who, item=item, reason="停用")
        api = APIClient()
        api.force_authenticate(who)
        assert api.post(f"/api/v1/designer/items/{item.code}/publish/", {"opinion": "同意"},
                        format="json").status_code == 403
    item.refresh_from_db()
    assert item.state == ItemState.IN_REVIEW
    item_publish(actor=demo.legal, item=item, opinion="同意")  # the legal office does


def test_the_superuser_still_reads_every_item(client, superuser):
    client.force_login(superuser)
    assert client.get("/designer/").status_code == 200
