"""The sweep re-verifies every case's log, closed ones too, at least every 7 days: an entry edited
in place on a closed case is found and raises an alert; and the daily exchange batch carries the
day's log heads, so a re-sealed past cannot match what the city already holds."""

from __future__ import annotations

import pytest

from runtime import services as runtime_services
from runtime.models import Case, LogEntry
from supervision.models import Alert

from ..runtime import factories
from .conftest import at, submit

pytestmark = pytest.mark.django_db


def test_a_closed_case_whose_log_was_changed_raises_an_alert_within_seven_days(demo, time_machine, sweep):
    time_machine.move_to(at("2026-10-12", 9), tick=False)
    case = submit(demo, factories.publish(factories.definition()))
    case = runtime_services.case_withdraw(actor=demo.zhangsan, case=case, reason="不再需要办理")
    assert case.state == "withdrawn"
    sweep()
    assert case.supervision_log_check.ok
    first = LogEntry.objects.get(case=case, seq=1)
    LogEntry.objects.filter(pk=first.pk).update(summary="伪造的提交记录")  # behind the platform's back
    time_machine.move_to(at("2026-10-16", 9), tick=False)
    sweep()  # checked 4 days ago: not yet again
    assert not Alert.objects.filter(kind="log_chain_broken").exists()
    time_machine.move_to(at("2026-10-20", 9), tick=False)
    sweep()
    alert = Alert.objects.get(kind="log_chain_broken", resolved_at__isnull=True)
    assert alert.case_id == case.pk


def test_the_daily_batch_carries_the_heads_of_the_cases_changed_that_day(demo, time_machine):
    from supervision.exchange import batch_create

    time_machine.move_to(at("2026-10-12", 9), tick=False)
    item = factories.publish(factories.definition())
    cases = [submit(demo, item, data=factories.good_data(company=f"公司{i}")) for i in range(2)]
    secret = runtime_services.case_intake_at_window(
        actor=demo.clerk, item=factories.publish(factories.definition("JB-SCJG-XK-0008", confidential=True)),
        applicant=runtime_services.ApplicantInput("natural", "王小明", "11010519491231002X"),
        form_data=factories.good_data(), materials=[runtime_services.MaterialInput("application", paper=True)])
    time_machine.move_to(at("2026-10-12", 18), tick=False)
    payload = batch_create().payload
    assert payload["format_version"] == 3
    heads = {h["case"]: (h["length"], h["head"]) for h in payload["log_heads"]}
    for case in cases:
        case = Case.objects.get(pk=case.pk)
        assert heads[case.number] == (case.log_length, case.log_head)
    assert secret.number not in heads and len(heads) == 2  # confidential cases: no head at all
    time_machine.move_to(at("2026-10-13", 18), tick=False)
    assert batch_create().payload["log_heads"] == []  # nothing changed that day
