"""Real threads on PostgreSQL: concurrent sweeps raise each alert once."""

from __future__ import annotations

import pytest
from django.db import connection

from supervision.models import Alert, Notification

from ..runtime import factories
from ..runtime.test_concurrency import run_threads
from .conftest import act, at, submit

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL（并发写入）"),
]


def test_four_sweeps_at_once_raise_each_alert_once(demo, time_machine):
    from supervision.services import sweep

    item = factories.publish(factories.definition(promised=5, statutory=8))
    time_machine.move_to(at("2026-09-21", 9), tick=False)
    cases = [submit(demo, item, data=factories.good_data(company=f"公司{i}")) for i in range(6)]
    for case in cases:
        act(demo.clerk, case, opinion="予以受理")
    time_machine.move_to(at("2026-10-13", 9), tick=False)
    results = run_threads([lambda: sweep(full=True)] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    alerts = Alert.objects.filter(resolved_at__isnull=True)
    # each case: a red case card and a red card on its handling step
    assert alerts.count() == 12 and {a.level for a in alerts} == {3}
    assert sum(r.raised for r in results) == 12
    # handler, registrar (another handler of the department), the chiefs of both sections,
    # supervisor; once each
    assert Notification.objects.count() == 12 * 5


def test_fifty_complaints_at_once_get_fifty_numbers(demo, time_machine):
    """"last + 1" gave 29–37 of 50 concurrent filings a 500 (unique number taken)."""
    from supervision.models import Complaint
    from supervision.services import complaint_file

    time_machine.move_to(at("2026-10-12", 9), tick=False)

    def file(i):
        return lambda: complaint_file(actor=demo.zhangsan, content=f"第{i}件投诉：办理太慢", contact_name="张三",
                                      contact_phone="13800138000").number

    results = run_threads([file(i) for i in range(50)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [f"TS-20261012-{n:04d}" for n in range(1, 51)]
    assert Complaint.objects.count() == 50
