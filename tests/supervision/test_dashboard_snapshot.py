"""The dashboard shows the figures the last sweep kept (supervision.dashboard_snapshot), with the
time they were taken, and reads them instead of counting a million cases at every visit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision.models import DashboardSnapshot

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


def _dashboard(client, demo) -> str:
    client.force_login(demo.supervisor)  # (a session does not outlive the weeks the clock jumps)
    return client.get("/supervision/").content.decode()


def _by_department(page: str) -> str:
    return page.split('id="by-department"')[1].split("</table>")[0]


def test_the_dashboard_shows_the_last_sweeps_figures_and_when_they_were_taken(client, demo, frozen, sweep):
    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-09-21", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    before = _dashboard(client, demo)
    assert "尚未巡查，以下为当前实时统计" in before and "暂无告警" in _by_department(before)

    frozen.move_to(at("2026-10-13", 9).replace(minute=30))
    sweep(notify=False)
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.on.isoformat() == "2026-10-13"
    client.force_login(demo.supervisor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/supervision/").content.decode()
    assert "统计数字截至 2026年10月13日 09:30 的巡查" in page
    # the red card of the case, counted by the sweep, under its department
    table = _by_department(page)
    assert "江滨区市场监督管理局" in table and "暂无告警" not in table
    # its red card among the latest cards, picked by the sweep
    assert case.number in page.split('id="alerts"')[1].split("</table>")[0]
    # the running case is in the time-left map: 4 working days or more past its promised limit
    assert ">超期4个工作日以上</td><td class=\"n\">1<" in page
    # the figures are read from the snapshot, not counted from the cases
    assert not any('GROUP BY "runtime_case"' in q["sql"] or "COUNT(" in q["sql"] for q in queries), \
        [q["sql"] for q in queries if "COUNT(" in q["sql"]]

    # a change after the sweep shows with the next sweep, not before (the page says when it counted)
    frozen.move_to(at("2026-10-14", 9))
    second = submit(demo, item)
    act(demo.clerk, second, opinion="予以受理")
    assert "统计数字截至 2026年10月13日 09:30 的巡查" in _dashboard(client, demo)
    sweep(notify=False)
    page = _dashboard(client, demo)
    assert "统计数字截至 2026年10月14日 09:00 的巡查" in page
    assert ">剩余3–5个工作日</td><td class=\"n\">1<" in page
    assert DashboardSnapshot.objects.count() == 1
