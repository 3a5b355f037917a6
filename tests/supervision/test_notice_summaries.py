"""Summary notices: whoever is due more alert notices from one run than
``SUPERVISION_DIGEST_OVER`` gets one summary notice instead (how many alerts of each level, where
to look); whoever is due that many or fewer gets the single notices. Every alert told is marked
notified either way, so the next run tells nobody of it again."""

from __future__ import annotations

import pytest

from supervision.alert_notices import pending_alerts
from supervision.models import Alert, Level, Notification
from supervision.services import alerts_notify, notifications_send
from tests.runtime import factories

from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_cases(demo, item, frozen, sweep):
    """Three cases accepted on 1 September, judged on 20 October: long past their limits (red
    cards for the cases and their open steps); nobody told yet."""
    frozen.move_to(at("2026-09-01", 9))
    cases = [act(demo.clerk, submit(demo, item, data=factories.good_data(company=f"逾期示范公司{i}")),
                 opinion="予以受理") for i in range(3)]
    frozen.move_to(at("2026-10-20", 9))
    sweep(notify=False)
    return cases


def test_more_notices_than_the_limit_become_one_summary_per_person(demo, overdue_cases, settings, caplog):
    pending = pending_alerts().count()
    levels = dict(pending_alerts().values_list("pk", "level"))
    assert pending >= 6  # each case and its open step
    settings.SUPERVISION_DIGEST_OVER = pending - 1

    written = alerts_notify()

    mine = Notification.objects.filter(recipient=demo.supervisor)
    assert mine.count() == 1
    summary = mine.get()
    assert summary.is_summary and summary.alert_count == pending
    assert summary.level == max(levels.values()) == Level.RED
    assert summary.summary.startswith(f"本次巡查有 {pending} 条告警新产生或升级：红牌 ")
    assert written == Notification.objects.count()
    # every alert is marked told at the level it had: the next run writes nothing
    assert pending_alerts().count() == 0
    assert alerts_notify() == 0

    with caplog.at_level("INFO", logger="supervision.notify"):
        notifications_send()
    assert any(f"【电子监察·告警汇总】本次巡查有 {pending} 条告警" in r.getMessage() and "supervisor" in r.getMessage()
               for r in caplog.records)


def test_as_many_notices_as_the_limit_stay_single_notices(demo, overdue_cases, settings):
    pending = pending_alerts().count()
    settings.SUPERVISION_DIGEST_OVER = pending

    alerts_notify()

    mine = Notification.objects.filter(recipient=demo.supervisor)
    assert mine.count() == pending
    assert not any(n.is_summary for n in mine)
    assert {n.alert.case_id for n in mine} == {c.pk for c in overdue_cases}

    # a single notice leaves the inbox with its alert
    from django.utils import timezone

    from supervision.selectors import notifications_for

    gone = mine.first()
    Alert.objects.filter(pk=gone.alert_id).update(resolved_at=timezone.now())
    assert set(notifications_for(demo.supervisor)) == set(mine) - {gone}


def test_the_inbox_shows_a_summary_with_where_to_look(demo, overdue_cases, settings, client):
    settings.SUPERVISION_DIGEST_OVER = 1
    alerts_notify()
    pending = Notification.objects.get(recipient=demo.supervisor).alert_count

    client.force_login(demo.supervisor)
    page = client.get("/supervision/inbox/").content.decode()
    assert f"告警汇总：本次巡查有 {pending} 条告警新产生或升级" in page
    assert "到监察大屏查看" in page

    handler = Notification.objects.get(recipient=demo.handler)
    assert handler.is_summary
    client.force_login(demo.handler)
    page = client.get("/supervision/inbox/").content.decode()
    assert f"告警汇总：本次巡查有 {handler.alert_count} 条告警" in page
    assert 'href="/workbench/"' in page and "到工作台查看" in page
    assert "None" not in page


def test_a_read_summary_leaves_the_inbox_after_a_week(demo, overdue_cases, settings, frozen):
    import datetime as dt

    from supervision.selectors import notifications_for
    from supervision.services import notification_read

    settings.SUPERVISION_DIGEST_OVER = 1
    alerts_notify()
    summary = Notification.objects.get(recipient=demo.supervisor)
    assert list(notifications_for(demo.supervisor)) == [summary]
    frozen.move_to(at("2026-11-20", 9))  # a month on, unread: still there
    assert list(notifications_for(demo.supervisor)) == [summary]

    notification_read(actor=demo.supervisor, notification=summary)
    frozen.shift(dt.timedelta(days=6))
    assert list(notifications_for(demo.supervisor)) == [summary]
    frozen.shift(dt.timedelta(days=2))
    assert list(notifications_for(demo.supervisor)) == []


@pytest.fixture
def overdue_in_two_departments(demo, item, frozen, sweep):
    """Overdue cases of the market regulator and of the health bureau: alerts of two units, told
    to different handlers and all to the supervisor."""
    health = factories.publish(factories.definition("JB-WJ-XK-0001", department="JB-WJ", name="公共场所卫生许可",
                                                    certificate_type=None))
    frozen.move_to(at("2026-09-01", 9))
    for i, of in enumerate([item, item, health, health]):
        act(demo.clerk, submit(demo, of, data=factories.good_data(company=f"逾期示范公司{i}")), opinion="予以受理")
    frozen.move_to(at("2026-10-20", 9))
    sweep(notify=False)
    return health


def test_a_person_told_of_several_units_is_counted_over_all_of_them(demo, overdue_in_two_departments, settings):
    pending = pending_alerts()
    total = pending.count()
    health_alerts = pending.filter(department__code="JB-WJ").count()
    assert 0 < health_alerts < total  # the supervisor is told of both units' alerts

    # each unit's alerts alone are within the limit, the supervisor's together are not
    settings.SUPERVISION_DIGEST_OVER = total - 1
    alerts_notify()
    summary = Notification.objects.get(recipient=demo.supervisor)
    assert summary.is_summary and summary.alert_count == total
    # the market regulator's handler is told of their own unit's alerts only, one by one
    theirs = Notification.objects.filter(recipient=demo.handler)
    assert not any(n.is_summary for n in theirs)
    assert {n.alert.department.code for n in theirs} == {"JB-SCJG"} and theirs.count() == total - health_alerts


def test_a_person_told_of_several_units_within_the_limit_gets_each_notice(demo, overdue_in_two_departments, settings):
    total = pending_alerts().count()
    ids = set(pending_alerts().values_list("pk", flat=True))
    settings.SUPERVISION_DIGEST_OVER = total

    alerts_notify()
    mine = Notification.objects.filter(recipient=demo.supervisor)
    assert not any(n.is_summary for n in mine)
    assert {n.alert_id for n in mine} == ids
