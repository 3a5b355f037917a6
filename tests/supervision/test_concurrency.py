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


def _accepted_and_late(demo, time_machine, how_many: int) -> list:
    """``how_many`` cases accepted on 2026-09-21 under a 5/8-day limit; the clock then set to
    2026-10-13, when each case and its handling step are past the statutory limit (red cards)."""
    item = factories.publish(factories.definition(promised=5, statutory=8))
    time_machine.move_to(at("2026-09-21", 9), tick=False)
    cases = [submit(demo, item, data=factories.good_data(company=f"公司{i}")) for i in range(how_many)]
    for case in cases:
        act(demo.clerk, case, opinion="予以受理")
    time_machine.move_to(at("2026-10-13", 9), tick=False)
    return cases


def test_four_sweeps_at_once_raise_each_alert_once(demo, time_machine):
    from supervision.services import sweep

    _accepted_and_late(demo, time_machine, 6)
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


def test_a_sweep_finding_its_alert_raised_meanwhile_by_another_raises_the_rest(demo, time_machine):
    """The clock statement inserts without ``ON CONFLICT``; an alert another sweep raised while
    this one ran refuses its row, and the statement is run again with the clause: the other's
    alert stays, every other alert is raised, none twice, no rule skipped."""
    import threading
    import time

    from django.db import connections, transaction
    from django.utils import timezone

    from supervision.services import sweep

    cases = _accepted_and_late(demo, time_machine, 4)
    first = cases[0]
    raised, release, outcome = threading.Event(), threading.Event(), {}

    def other_sweep():  # holds its uncommitted alert on the first case until the sweep waits on it
        try:
            with transaction.atomic():
                outcome["other"] = Alert.objects.create(
                    kind="case_clock", subject_type="case", subject_id=first.pk, case=first,
                    department_id=first.department_id, level=3, first_level=3, raised_at=timezone.now(),
                    raised_on=timezone.localdate(), detail="办件时限").pk
                raised.set()
                release.wait(30)
        finally:
            connection.close()

    def this_sweep():
        try:
            raised.wait(30)
            outcome["result"] = sweep(full=True, notify=False)
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcome["result"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=other_sweep), threading.Thread(target=this_sweep)]
    for thread in threads:
        thread.start()
    with connections["default"].cursor() as cursor:  # this sweep's insert waits on the other's row
        for _ in range(300):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND query LIKE 'WITH d AS MATERIALIZED%%'")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
    release.set()
    for thread in threads:
        thread.join(60)
    result = outcome["result"]
    assert not isinstance(result, Exception) and not result.skipped, result
    alerts = Alert.objects.filter(resolved_at__isnull=True)
    assert sorted(alerts.filter(kind="case_clock").values_list("subject_id", flat=True)) == sorted(c.pk for c in cases)
    assert alerts.get(kind="case_clock", subject_id=first.pk).pk == outcome["other"]
    assert alerts.filter(kind="step_clock").count() == 4
    assert result.kinds["case_clock"].raised == 3
