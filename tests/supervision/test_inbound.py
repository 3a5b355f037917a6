"""The inbound exchange API: a department's own system pushes cases and events in the export's
format; bad input is refused whole (malformed JSON, wrong format or version, wrong header) or per
record (by index, in Chinese), good records are stored once."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.inputs import json_problems
from supervision import exchange
from supervision.models import ExchangeBatch, ExternalCase, ExternalEvent, InboundBatch

from .conftest import act, at, submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/exchange/inbound/JB-SCJG/scjg-approval/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def case_record(number: str = "W-1", **extra) -> dict:
    return {"type": "case", "number": number, "item": "JB-SCJG-XK-0001", "item_name": "食品经营许可（新办）",
            "department": "JB-SCJG", "channel": "window", "applicant_type": "legal", "state": "in_progress",
            "decision": "", "received_on": "2026-10-12", "accepted_on": "2026-10-12", "deemed_accepted": False,
            "statutory_limit_days": 20, "promised_limit_days": 10, "extension_days": 0, "paused_days": 0,
            "statutory_due_on": "2026-11-09", "promised_due_on": "2026-10-26", "completed_on": None,
            "certificate": None, **extra}


def event_record(event_id: int, case: str = "W-1", **extra) -> dict:
    return {"type": "event", "id": event_id, "case": case, "seq": event_id, "at": "2026-10-12T09:30:00+08:00",
            "kind": "submitted", "summary": "窗口收件", "step": "", "action": "", "actor_role": "window_clerk",
            "hash": f"{event_id:064x}", **extra}


def batch(records: list, **extra) -> dict:
    return {"format": "approval-supervision-exchange", "format_version": 1, "batch_id": uuid.uuid4().hex,
            "sequence": 1, "created_at": "2026-10-14T02:00:00+00:00",
            "period": {"after_log_id": 0, "up_to_log_id": 10, "alerts_after": None,
                       "alerts_up_to": "2026-10-14T01:55:00+00:00"},
            "count": len(records), "checksum": exchange.checksum(records), "records": records, **extra}


def push(user, payload, url: str = URL):
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload, ensure_ascii=False)
    return client_for(user).post(url, body, content_type="application/json")


@pytest.fixture
def editor(demo, item):
    return demo.editor  # item editor of JB-SCJG


def test_good_batch_is_stored_and_a_resend_reports_duplicates(editor):
    records = [case_record(), event_record(1), event_record(2, kind="accepted", action="approve")]
    response = push(editor, batch(records))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["stored"] == {"cases": 1, "cases_updated": 0, "events": 2}
    assert body["rejected"] == [] and body["duplicates"] == []
    case = ExternalCase.objects.get()
    assert (case.system, case.number, case.owner.code, case.item.code) == ("scjg-approval", "W-1", "JB-SCJG",
                                                                          "JB-SCJG-XK-0001")
    assert list(case.events.values_list("event_id", flat=True)) == [1, 2]

    # the same events again (and a newer state of the case): reported as duplicates, stored once
    again = push(editor, batch([case_record(state="completed", completed_on="2026-10-20"), event_record(1),
                                event_record(2, kind="accepted", action="approve"), event_record(3)])).json()
    assert again["duplicates"] == [1, 2] and again["rejected"] == []
    assert again["stored"] == {"cases": 0, "cases_updated": 1, "events": 1}
    assert ExternalEvent.objects.count() == 3 and ExternalCase.objects.get().state == "completed"

    # duplicates inside one batch are stored once too
    inside = push(editor, batch([event_record(4), event_record(4)])).json()
    assert inside["stored"]["events"] == 1 and inside["duplicates"] == [1]
    # the same id with other content is an error, not a silent overwrite
    changed = push(editor, batch([event_record(4, hash="f" * 64)])).json()
    assert changed["rejected"] == [{"index": 0, "type": "event", "errors": ["id：事件 4 已接收，但内容（hash）不同"]}]

    # every batch read is kept with who pushed it and its report
    first = InboundBatch.objects.order_by("pk").first()
    assert (first.batch_id, first.pushed_by, first.system, first.department.code) == (
        body["batch_id"], editor, "scjg-approval", "JB-SCJG")
    assert (first.received, first.stored, first.duplicates, first.rejected, first.report) == (3, 3, 0, 0, body)
    assert list(InboundBatch.objects.values_list("rejected", flat=True).order_by("pk")) == [0, 0, 0, 1]


def test_the_database_refuses_a_second_copy_of_an_event(editor):
    from django.db import IntegrityError, transaction

    push(editor, batch([case_record(), event_record(1)]))
    row = ExternalEvent.objects.get()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_malformed_json_is_a_400_in_the_platform_shape(editor):
    response = push(editor, b'{"format": "approval-supervision-exchange", "records": [')
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == "parse_error"
    assert body["message"].startswith("JSON 格式有误")
    assert push(editor, b"[1, 2]").json()["code"] == "batch_refused"


@pytest.mark.parametrize(("field", "value"), [("format_version", 4), ("format", "something-else")])
def test_wrong_format_or_version_refuses_the_whole_batch_naming_the_field(editor, field, value):
    response = push(editor, batch([case_record(), event_record(1)], **{field: value}))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "batch_refused" and list(body["details"]) == [field] and field in body["message"]
    assert not ExternalCase.objects.exists() and not InboundBatch.objects.exists()


def test_a_bad_header_count_or_checksum_refuses_the_whole_batch(editor):
    records = [case_record()]
    assert push(editor, batch(records, count=2)).json()["details"] == {"count": ["count 为 2，实际记录 1 条"]}
    assert list(push(editor, batch(records, checksum="sha256:" + "0" * 64)).json()["details"]) == ["checksum"]
    body = push(editor, batch(records, batch_id="not-hex")).json()
    assert body["code"] == "batch_refused" and "batch_id" in body["details"]["$"][0]
    assert not ExternalCase.objects.exists()


def test_bad_records_are_rejected_by_index_and_the_good_ones_stored(editor):
    records = [
        case_record("W-1"),
        case_record("W-2", item="JB-XX-XK-9999"),  # unknown item
        event_record(1, "W-1"),
        event_record(2, "W-2"),  # its case was rejected
        event_record(3, "W-1", at="2026-10-11T23:59:00+08:00"),  # before the case was received
        event_record(4, "W-1", at="2026-10-12T00:00:00+08:00"),  # the first moment of the day: fine
        case_record("W-3", channel="fax", extra_field=1),  # not the schema
        {"type": "alert", "id": 1},  # alerts are this platform's own
        {"type": "nonsense"},
        case_record("W-4", department="JB-WJ"),  # another department's case
    ]
    body = push(editor, batch(records)).json()
    rejected = {r["index"]: r["errors"] for r in body["rejected"]}
    assert sorted(rejected) == [1, 3, 4, 6, 8, 9]
    assert rejected[1] == ["item：事项编码 JB-XX-XK-9999 不存在"]
    assert rejected[3] == ["case：办件 W-2 未推送过或已被拒收"]
    assert "早于办件收件日期" in rejected[4][0]
    assert any(e.startswith("channel：") for e in rejected[6]) and any("extra_field" in e for e in rejected[6])
    assert "不是推送单位 JB-SCJG" in rejected[9][0]
    assert body["ignored"] == [7]
    assert body["stored"] == {"cases": 1, "cases_updated": 0, "events": 2}
    assert set(ExternalEvent.objects.values_list("event_id", flat=True)) == {1, 4}


def test_ten_thousand_records_with_three_bad_ones(editor):
    cases = [case_record(f"W-{n}") for n in range(1000)]
    events = [event_record(1000 + n, f"W-{n % 1000}") for n in range(8999)]
    records = cases[:17] + [case_record("W-BAD", item="JB-NOPE-0001")] + cases[17:] + events  # 10 000
    records[4321]["at"] = "2026-10-01T10:00:00+08:00"  # older than the case
    records[9999]["hash"] = "xyz"  # not the schema
    started = time.monotonic()
    body = push(editor, batch(records)).json()
    elapsed = time.monotonic() - started
    assert [r["index"] for r in body["rejected"]] == [17, 4321, 9999]
    assert body["rejected"][2]["errors"] == ["hash：格式错误，应匹配 ^[0-9a-f]{64}$"]
    assert len(records) == 10_000 and body["received"] == 10_000
    assert body["stored"] == {"cases": 1000, "cases_updated": 0, "events": 8997}
    assert ExternalCase.objects.count() + ExternalEvent.objects.count() == 9997
    assert elapsed < 60

    # sent again: nothing new, nothing twice; the events are duplicates, not errors
    again = push(editor, batch(records)).json()
    assert len(again["duplicates"]) == 8997 and [r["index"] for r in again["rejected"]] == [17, 4321, 9999]
    assert again["stored"] == {"cases": 0, "cases_updated": 1000, "events": 0}
    assert ExternalEvent.objects.count() == 8997


def test_who_may_push(demo, item):
    good = batch([case_record()])
    assert push(demo.handler, good).status_code == 200  # a role in a section of the department
    assert push(demo.admin, good).status_code == 200  # the system administrator
    for user in (demo.supervisor, demo.multi, demo.company):  # district-wide supervisor, another department, applicant
        response = push(user, good)
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert APIClient().post(URL, json.dumps(good), content_type="application/json").status_code == 403
    assert push(demo.admin, good, url="/api/v1/exchange/inbound/NO-SUCH/x/").status_code == 404


def test_an_exported_batch_is_accepted_by_the_inbound_api(demo, item, frozen, sweep, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    frozen.move_to(at("2026-09-21", 9))
    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    frozen.move_to(at("2026-10-13", 9))
    sweep()
    frozen.move_to(at("2026-10-13", 10))
    call_command("exchange_export", stdout=open("/dev/null", "w"))
    payload = ExchangeBatch.objects.get().payload
    body = push(demo.admin, payload, url=f"/api/v1/exchange/inbound/{case.department.code}/own/").json()
    alerts = [i for i, r in enumerate(payload["records"]) if r["type"] == "alert"]
    assert body["rejected"] == [] and body["ignored"] == alerts
    assert body["stored"] == {"cases": 1, "cases_updated": 0, "events": case.log.count()}
    external = ExternalCase.objects.get()
    assert (external.number, external.state, external.promised_due_on) == (case.number, case.state,
                                                                           case.promised_due_on)
    assert sorted(external.events.values_list("hash", flat=True)) == sorted(case.log.values_list("hash", flat=True))


def test_pushed_cases_are_counted_on_the_dashboard(client, demo, item, frozen):
    frozen.move_to(at("2026-10-28", 9))
    push(demo.editor, batch([case_record("W-1"), case_record("W-2", promised_due_on="2026-11-30"),
                             case_record("W-3", state="completed", completed_on="2026-10-20")]))
    client.force_login(demo.supervisor)
    text = client.get("/supervision/").content.decode()
    table = text[text.index('id="external"'):]
    table = table[:table.index("</table>")]
    assert "江滨区市场监督管理局" in table
    assert '<td class="n">2</td><td class="n">1</td><td class="n">1</td>' in table  # open, overdue, closed


def test_ten_thousand_records_with_one_poison_record_of_each_kind(editor):
    """Issue 12, finding 8: each poison record is reported by its index with its reason in Chinese,
    and every good record around them is stored (before: the whole batch failed)."""
    cases = [case_record(f"W-{n}") for n in range(1000)]
    events = [event_record(1000 + n, f"W-{n % 1000}") for n in range(9000)]
    records = cases + events  # 10 000
    poison = {  # each in place of an event: the poison cases are cases of their own (P-…)
        1010: ("case", case_record("P-1", item_name="食品\x00经营")),  # NUL in a text
        1020: ("case", case_record("P-2", statutory_limit_days=2**40)),  # beyond the column
        1030: ("case", case_record("P-3", paused_days=100_000)),  # in the column, beyond any time limit
        1040: ("case", case_record("P-4", received_on="9999-12-20", accepted_on="9999-12-20",
                                   statutory_due_on=None, promised_due_on=None)),  # a deadline past year 9999
        1500: ("event", event_record(2**70, "W-500", seq=1)),  # an id beyond 64 bits
        2500: ("event", event_record(3500, "W-500", seq=2**40)),  # a sequence number beyond the column
        3500: ("event", event_record(4500, "W-500", summary="\ud800")),  # a lone surrogate
        4500: ("event", event_record(5500, "W-500", **{"kind\x00": "x"})),  # NUL in a field name
        5500: ("event", event_record(6500, "W-500", statutory=float("nan"))),  # NaN
        6500: ("event", event_record(7500, "W-500", seq=float("inf"))),  # 1e400 in JSON
        7500: ("", {**event_record(8500, "W-500"), "type": "event\x00"}),  # NUL in the record's type
    }
    for index, (_kind, record) in poison.items():
        records[index] = record
    started = time.monotonic()
    response = push(editor, json.dumps(batch(records)))  # \ud800 escaped, as a sender's JSON has it
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    rejected = {r["index"]: (r["type"], r["errors"]) for r in body["rejected"]}
    assert sorted(rejected) == sorted(poison)
    assert rejected[1010] == ("case", ["item_name：不能包含空字符（\\u0000）"])
    assert rejected[1020] == ("case", ["statutory_limit_days：取值 1099511627776 超出范围（0～3650）"])
    assert rejected[1030] == ("case", ["paused_days：取值 100000 超出范围（0～3650）"])
    assert rejected[1040] == ("case", ["accepted_on：从受理日期起算的期限超出可计算的日期范围"])
    assert rejected[1500] == ("event", [f"id：取值 {2**70} 超出范围（0～9223372036854775807）"])
    assert rejected[2500] == ("event", ["seq：取值 1099511627776 超出范围（0～2147483647）"])
    assert rejected[3500] == ("event", ["summary：包含无效的字符（不成对的 Unicode 代理字符）"])
    assert rejected[4500][1] == ["kind\\x00：字段名不能包含空字符（\\u0000）"]
    assert rejected[5500][1] == ["statutory：数值无效：不接受 NaN、Infinity 或超出范围的数"]
    assert rejected[6500][1] == ["seq：数值无效：不接受 NaN、Infinity 或超出范围的数"]
    assert rejected[7500] == ("", ["type：应为 'case'、'event' 或 'alert'"])
    assert {kind for kind, _ in rejected.values()} == {"case", "event", ""}
    assert body["stored"] == {"cases": 1000, "cases_updated": 0, "events": 8989}
    assert ExternalCase.objects.count() == 1000 and ExternalEvent.objects.count() == 8989
    assert not ExternalCase.objects.filter(number__startswith="P-").exists()
    report = InboundBatch.objects.get()
    assert report.rejected == 11
    assert json_problems(report.report) == {}  # the stored report carries no NUL (PostgreSQL's jsonb refuses one)
    assert elapsed < 60


def test_a_record_the_database_still_refuses_loses_only_itself(editor, monkeypatch):
    """The write is isolated per record: should the database refuse a row that passed every check,
    that record is reported and the rest of its chunk is stored."""
    from django.db import DataError

    real = ExternalEvent.objects.bulk_create

    def refuse_event_3(rows, **kwargs):
        if any(row.event_id == 3 for row in rows):
            raise DataError("value too long")
        return real(rows, **kwargs)

    monkeypatch.setattr(ExternalEvent.objects, "bulk_create", refuse_event_3)
    body = push(editor, batch([case_record(), event_record(1), event_record(2), event_record(3),
                               event_record(4)])).json()
    assert [(r["index"], r["type"]) for r in body["rejected"]] == [(3, "event")]
    assert "数据库拒绝存储此记录" in body["rejected"][0]["errors"][0]
    assert body["stored"] == {"cases": 1, "cases_updated": 0, "events": 3}
    assert sorted(ExternalEvent.objects.values_list("event_id", flat=True)) == [1, 2, 4]
