"""Finding 2 of issue 12: a confidential item is consulted, queried and shown nowhere online."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from designer.models import ApprovalItem
from supervision.models import Complaint
from supervision.services import consultation_ask

pytestmark = pytest.mark.django_db


def test_no_consultation_about_a_confidential_item(client, demo):
    secret = ApprovalItem.objects.get(code="JB-ZRZY-XK-0002")
    page = f"/supervision/consultations/{secret.code}/"
    assert client.get(page).status_code == 404
    answer = client.post(page, {"question": "请问需要哪些材料？", "contact_name": "王五", "contact_phone": "13800138000"})
    assert answer.status_code == 404
    with pytest.raises(InvalidInput):
        consultation_ask(actor=demo.zhangsan, item=secret, question="请问需要哪些材料？", contact_name="张三",
                         contact_phone="13800138000")
    assert not Complaint.objects.filter(item=secret).exists()
    assert client.get("/supervision/consultations/JB-SCJG-XK-0001/").status_code == 200
