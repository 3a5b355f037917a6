"""The efficiency office's pages, the staff inbox, orders and notifications."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision.models import Alert, Notification, SupervisionOrder

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(demo, frozen, sweep):
    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-09-21", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    frozen.move_to(at("2026-10-13", 9))
    sweep()
    return case


def test_notifications_reach_handler_chief_and_supervisor(demo, overdue):
    alert = Alert.objects.get(kind="case_clock", case=overdue)
    assert alert.level == 3 and alert.notified_level == 3
    reasons = dict(Notification.objects.filter(alert=alert).values_list("recipient__username", "reason"))
    # The open task sits with the department's handlers (any of its sections may take it).
    # Likewise its section chiefs (食品经营许可科 and 登记注册科).
    assert reasons == {"handler": "handler", "registrar": "handler", "chief": "section_chief",
                       "regchief": "section_chief", "supervisor": "supervisor"}


def test_dashboard_counts_charts_and_drill_down(client, demo, overdue):
    client.force_login(demo.supervisor)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/supervision/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "江滨区市场监督管理局" in text and overdue.number in text and "<svg" in text
    # every asset is served by the platform: no script, style or image from another host (a
    # search for "cdn" in the page matched a random CSRF token once)
    assert not re.search(r'\b(?:src|href)="(?:https?:)?//', text), re.findall(r'(?:src|href)="(?:https?:)?//[^"]*"', text)
    assert len(queries) <= 14, [q["sql"] for q in queries]
    detail = client.get(f"/supervision/cases/{overdue.number}/").content.decode()
    assert "办件日志" in detail and "红牌" in detail and "2026-09-29" in detail  # promised due date


def test_only_supervisors_see_the_dashboard(client, demo):
    client.force_login(demo.handler)
    assert client.get("/supervision/").status_code == 403
    assert client.get("/supervision/inbox/").status_code == 200
    client.force_login(demo.zhangsan)
    assert client.get("/supervision/inbox/").status_code == 403


def test_order_issue_clock_and_reply(client, demo, overdue, frozen, sweep):
    client.force_login(demo.supervisor)
    response = client.post(f"/supervision/cases/{overdue.number}/orders/",
                           {"instruction": "请于两日内办结并说明超期原因", "limit_days": "2"})
    assert response.status_code == 302
    order = SupervisionOrder.objects.get(case=overdue)
    assert (order.number, str(order.due_on), order.department.code) == ("DB-20261013-0001", "2026-10-15", "JB-SCJG")
    frozen.move_to(at("2026-10-19", 9))  # 2 working days over the order's deadline
    sweep()
    assert Alert.objects.get(kind="order_clock", subject_id=order.pk).get_level_display() == "黄牌"
    # the department's handler sees it in the inbox and replies; a second reply is refused
    client.force_login(demo.handler)
    assert order.number in client.get("/supervision/inbox/").content.decode()
    client.post(f"/supervision/orders/{order.pk}/reply/", {"reply": "已于今日办结"})
    order.refresh_from_db()
    assert order.state == "replied" and order.replied_by == demo.handler
    assert Alert.objects.get(kind="order_clock", subject_id=order.pk).resolved_at is not None
    page = client.post(f"/supervision/orders/{order.pk}/reply/", {"reply": "再回复"}, follow=True)
    assert "已回复，无需重复回复" in page.content.decode()
    # staff of another department may not answer it
    order.state = "open"
    order.save()
    client.force_login(demo.multi)
    assert client.post(f"/supervision/orders/{order.pk}/reply/", {"reply": "x"}).status_code == 403


def test_order_needs_a_supervisor_and_valid_input(demo, overdue):
    from core.errors import AccessDenied, InvalidInput
    from supervision.services import order_issue

    with pytest.raises(AccessDenied):
        order_issue(actor=demo.handler, case=overdue, instruction="x", limit_days=2)
    with pytest.raises(InvalidInput) as error:
        order_issue(actor=demo.supervisor, case=overdue, instruction=" ", limit_days=0)
    assert set(error.value.details) == {"instruction", "limit_days"}


def test_inbox_shows_my_notices_and_marks_them_read(client, demo, overdue):
    client.force_login(demo.chief)
    with CaptureQueriesContext(connection) as queries:
        text = client.get("/supervision/inbox/").content.decode()
    assert overdue.number in text and "红牌" in text
    assert len(queries) <= 12
    notice = Notification.objects.filter(recipient=demo.chief).first()
    client.post(f"/supervision/notifications/{notice.pk}/read/")
    notice.refresh_from_db()
    assert notice.read_at is not None
    client.force_login(demo.handler)
    assert client.post(f"/supervision/notifications/{notice.pk}/read/").status_code == 404


def test_console_channel_sends_each_notice_once(demo, overdue, caplog):
    from supervision.services import notifications_send

    assert Notification.objects.filter(sent=False).exists()  # on_commit does not fire inside the test transaction
    with caplog.at_level("INFO", logger="supervision.notify"):
        sent = notifications_send()
    assert sent == Notification.objects.count() and not Notification.objects.filter(sent=False).exists()
    assert overdue.number in caplog.text
    assert notifications_send() == 0


def test_supervise_command_prints_progress(demo, overdue):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("supervise", stdout=out)
    assert "办件时限：新增 0" in out.getvalue() and "巡查完成" in out.getvalue()


def test_the_case_page_says_how_many_working_days_are_used_and_how_late(client, demo, overdue):
    """Accepted Monday 21 September 2026 with 5 promised and 8 statutory working days; on 13 October
    (after the National Day holiday, 26 September and 10 October worked) it is 11 working days in."""
    client.force_login(demo.supervisor)
    page = client.get(f"/supervision/cases/{overdue.number}/").content.decode()
    used = re.search(r'<td class="used">(.*?)</td>', page).group(1)
    remaining = re.search(r'<td class="remaining">(.*?)</td>', page).group(1)
    promised = re.search(r'<td class="promised-remaining"[^>]*>(.*?)</td>', page).group(1)
    assert (used, remaining, promised) == ("11", '<strong class="overdue">超期 3 个工作日</strong>',
                                           '<strong class="overdue">超期 6 个工作日</strong>')


def test_dashboard_charts_are_readable_and_never_blank(client, demo, frozen):
    from supervision import charts

    trend = charts.card_trend_svg({"labels": ["10-01", "10-02"], "yellow": [1, 2], "red": [0, 1]})
    ticks = re.findall(r'<text[^>]*class="[^"]*"[^>]*>([^<]*)</text>', trend)
    assert {"0", "1", "2", "3"} <= set(ticks) and not [t for t in ticks if re.fullmatch(r"\d+\.\d+", t)]
    sizes = [float(s) for s in re.findall(r"font-size:\s*([0-9.]+)px", trend)]
    assert sizes and min(sizes) >= 12
    plot_top = int(re.search(r'translate\(\d+, (\d+)\)" class="plot"', trend).group(1))
    legend_top = int(re.search(r'translate\(\d+, (\d+)\)" class="legends"', trend).group(1))
    assert legend_top > plot_top + 200  # below the plot, not beside or over the axis
    assert "暂无数据" in charts.days_used_svg([])
    decided_same_day = charts.days_used_svg([("食品经营许可（新办）", 0.0)])
    assert ">0</text>" in decided_same_day  # the bar says 0 rather than drawing nothing
    client.force_login(demo.supervisor)
    page = client.get("/supervision/").content.decode()
    assert 'id="days-used-chart"' in page and "暂无数据" in page
    assert 'data-busy="巡查中…"' in page
