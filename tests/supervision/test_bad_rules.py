"""An invalid rule that reached the database (past the designer's validation) does not stop the
sweep: that rule is skipped with an alert about the definition, every other rule and the
notifications still run, and the command says so in its output and exit status."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from designer.models import ItemVersion
from supervision.models import Alert, Notification

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db

BAD_CONDITION = {"method": [{"var": "step.opinion"}, "upper"]}  # refused by the rules engine


def _late_cases(demo, time_machine, n=2):
    """Two items, a case of each accepted long ago (red cards); the first item's rules broken."""
    good = factories.publish(factories.definition(promised=5, statutory=8))
    bad = factories.publish(factories.definition("JB-SCJG-XK-0009", name="被写坏规则的事项", promised=5, statutory=8))
    time_machine.move_to(at("2026-09-21", 9), tick=False)
    cases = [submit(demo, item) for item in (good, bad)]
    for case in cases:
        act(demo.clerk, case, opinion="予以受理")
    version = cases[1].version
    broken = dict(version.document)
    broken["supervision"] = {**broken.get("supervision", {}),
                             "yellow_card": {"limit": "promised", "overdue_days_over": "三天"},
                             "anomalies": [{"key": "bad_rule", "name": "坏规则", "condition": BAD_CONDITION}]}
    ItemVersion.objects.filter(pk=version.pk).update(document=broken)  # behind the designer's back
    time_machine.move_to(at("2026-10-13", 9), tick=False)
    return cases, version


def test_the_sweep_skips_the_bad_rule_and_finishes_the_rest(demo, time_machine, sweep):
    (good_case, bad_case), version = _late_cases(demo, time_machine)
    result = sweep(full=True, all_logs=True)
    assert {s.kind for s in result.skipped} >= {"case_clock"}
    assert all(version.pk in s.versions for s in result.skipped if s.kind == "case_clock")
    # the good item's case still got its red card, and notices went out
    assert Alert.objects.filter(kind="case_clock", case=good_case, level=3, resolved_at__isnull=True).exists()
    assert not Alert.objects.filter(kind="case_clock", case=bad_case).exists()
    definition = Alert.objects.get(kind="rule_invalid", resolved_at__isnull=True)
    assert (definition.subject_type, definition.subject_id) == ("item_version", version.pk)
    assert "被写坏规则的事项" in definition.detail and definition.department_id == version.item.department_id
    assert Notification.objects.filter(alert=definition, recipient=demo.supervisor).exists()
    assert Notification.objects.filter(alert__case=good_case).exists()
    # the efficiency office sees it on the dashboard
    from django.test import Client

    client = Client()
    client.force_login(demo.supervisor)
    assert "被写坏规则的事项" in client.get("/supervision/").content.decode()
    # a second sweep raises it once; once the rule is mended it resolves
    sweep(full=True)
    assert Alert.objects.filter(kind="rule_invalid").count() == 1
    mended = dict(version.document)
    ItemVersion.objects.filter(pk=version.pk).update(document=mended)
    assert not sweep(full=True).skipped
    assert not Alert.objects.filter(kind="rule_invalid", resolved_at__isnull=True).exists()
    assert Alert.objects.filter(kind="case_clock", case=bad_case, level=3).exists()


def test_the_command_finishes_then_exits_non_zero_and_the_page_answers(demo, time_machine, client):
    (good_case, _bad), _version = _late_cases(demo, time_machine)
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("supervise", "--full", stdout=out)
    assert refused.value.returncode == 3
    text = out.getvalue()
    assert "巡查完成" in text and "规则有误，已跳过" in text and "办件时限" in text
    assert Alert.objects.filter(kind="case_clock", case=good_case, level=3).exists()
    client.force_login(demo.supervisor)
    response = client.post("/supervision/sweep/", follow=True)
    assert response.status_code == 200
    assert "监察规则有误，本次巡查已跳过" in response.content.decode()
