"""Complaint, consultation, rectification and order numbers come from the runtime's sequence
allocator: serial filings count up, and a day that already has numbers goes on after them."""

from __future__ import annotations

import pytest

from supervision import services
from supervision.models import Complaint

from ..runtime import factories
from .conftest import at, submit

pytestmark = pytest.mark.django_db


def _file(actor, i: int) -> Complaint:
    return services.complaint_file(actor=actor, content=f"第{i}件投诉：办理太慢", contact_name="张三",
                                   contact_phone="13800138000")


def test_serial_filings_count_up_per_kind_and_day(demo, time_machine):
    from designer.models import ApprovalItem

    time_machine.move_to(at("2026-10-12", 9), tick=False)
    numbers = [_file(demo.zhangsan, i).number for i in range(3)]
    assert numbers == ["TS-20261012-0001", "TS-20261012-0002", "TS-20261012-0003"]
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    asked = services.consultation_ask(actor=demo.zhangsan, item=item, question="需要单独办证吗？",
                                      contact_name="张三", contact_phone="13800138000")
    assert asked.number == "ZX-20261012-0001"
    case = submit(demo, factories.publish(factories.definition()))
    orders = [services.order_issue(actor=demo.supervisor, case=case, instruction="请加快办理", limit_days=3).number
              for _ in range(2)]
    assert orders == ["DB-20261012-0001", "DB-20261012-0002"]
    time_machine.move_to(at("2026-10-13", 9), tick=False)
    assert _file(demo.zhangsan, 9).number == "TS-20261013-0001"


def test_numbers_stored_before_the_sequence_are_not_handed_out_again(demo, time_machine):
    from django.utils import timezone

    time_machine.move_to(at("2026-10-12", 9), tick=False)
    Complaint.objects.create(number="TS-20261012-0007", content="早先的投诉", contact_name="张三",
                             contact_phone="13800138000", filed_at=timezone.now())
    assert _file(demo.zhangsan, 1).number == "TS-20261012-0008"
