"""The daily exchange export: schema-valid batches with batch id, count and checksum, nothing
skipped or duplicated between batches, catch-up and re-sent batches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from supervision import exchange
from supervision.models import ExchangeBatch

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def test_published_schema_is_the_one_used():
    assert (ROOT / "docs/schemas/exchange-batch.schema.json").read_text() == exchange.SCHEMA_PATH.read_text()


def test_daily_batches_cover_every_change_once(demo, frozen, sweep, tmp_path):
    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-09-21", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    frozen.move_to(at("2026-10-13", 9))
    sweep()
    frozen.move_to(at("2026-10-13", 10))  # changes of the last 5 minutes wait for the next batch
    call_command("exchange_export", stdout=open("/dev/null", "w"))
    first = ExchangeBatch.objects.get()
    payload = json.loads(next((tmp_path / "exchange").glob("*.json")).read_text(encoding="utf-8"))
    assert payload == first.payload and not list(exchange.validator().iter_errors(payload))
    assert payload["count"] == len(payload["records"]) and payload["checksum"] == exchange.checksum(payload["records"])
    kinds = [r["type"] for r in payload["records"]]
    assert kinds.count("case") == 1 and kinds.count("alert") == 2 and kinds.count("event") == case.log.count()
    assert {r["kind"] for r in payload["records"] if r["type"] == "alert"} == {"case_clock", "step_clock"}

    # a later change: only it (and the case's current state) goes into the next batch
    frozen.move_to(at("2026-10-14", 9))
    act(demo.handler, case, opinion="符合条件")
    frozen.move_to(at("2026-10-14", 10))
    sweep()
    frozen.move_to(at("2026-10-14", 11))
    call_command("exchange_export", stdout=open("/dev/null", "w"))
    second = ExchangeBatch.objects.get(sequence=2)
    events_1 = {r["id"] for r in first.payload["records"] if r["type"] == "event"}
    events_2 = {r["id"] for r in second.payload["records"] if r["type"] == "event"}
    assert events_2 and not events_1 & events_2
    assert events_1 | events_2 == set(case.log.values_list("pk", flat=True))
    assert second.after_log_id == first.up_to_log_id
    alerts_2 = [r for r in second.payload["records"] if r["type"] == "alert"]
    assert {(r["kind"], r["resolved_at"] is not None) for r in alerts_2} == {("step_clock", True)}

    # nothing new: an empty batch, still numbered and checksummed
    frozen.move_to(at("2026-10-15", 10))
    call_command("exchange_export", stdout=open("/dev/null", "w"))
    assert ExchangeBatch.objects.get(sequence=3).count == 0

    # catch-up since a date, and a re-send of an old batch, leave the daily position alone
    call_command("exchange_export", "--since", "2026-09-21", stdout=open("/dev/null", "w"))
    catch_up = ExchangeBatch.objects.get(sequence=4)
    assert not catch_up.daily and {r["id"] for r in catch_up.payload["records"] if r["type"] == "event"} == \
        events_1 | events_2
    before = sorted(p.name for p in (tmp_path / "exchange").glob("*.json"))
    call_command("exchange_export", "--resend", first.batch_id, stdout=open("/dev/null", "w"))
    assert sorted(p.name for p in (tmp_path / "exchange").glob("*.json")) == before
    assert ExchangeBatch.objects.get(pk=first.pk).attempts == 2


def test_a_failed_delivery_is_retried(demo, frozen, monkeypatch):
    frozen.move_to(at("2026-10-13", 9))
    batch = exchange.batch_create()

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(Path, "write_text", broken)
    with pytest.raises(OSError):
        exchange.batch_deliver(batch=batch)
    batch.refresh_from_db()
    assert (batch.state, batch.attempts, batch.last_error) == ("pending", 1, "磁盘已满")
    monkeypatch.undo()
    exchange.exchange_daily()
    batch.refresh_from_db()
    assert batch.state == "delivered" and ExchangeBatch.objects.count() == 2


def test_a_confidential_items_cases_never_leave_only_their_count_by_department(demo, frozen, sweep):
    """涉及保密信息的项目一律不上网办理: no number, item name or log summary of a confidential case in
    the batch; the city sees it counted under its department."""
    from runtime import services
    from runtime.models import LogEntry

    secret = factories.publish(factories.definition("JB-SCJG-XK-0003", confidential=True, name="涉密测绘事项"))
    public = factories.publish(factories.definition())
    frozen.move_to(at("2026-09-21", 9))
    hidden = services.case_intake_at_window(
        actor=demo.clerk, item=secret, applicant=services.ApplicantInput("natural", "王小明", "11010519491231002X"),
        form_data=factories.good_data(), materials=[services.MaterialInput("application", paper=True)])
    act(demo.clerk, hidden, opinion="予以受理")
    shown = submit(demo, public)
    frozen.move_to(at("2026-10-13", 9))
    sweep()
    frozen.move_to(at("2026-10-13", 10))
    payload = exchange.batch_create().payload

    text = json.dumps(payload, ensure_ascii=False)
    assert shown.number in text
    assert hidden.number not in text and "涉密测绘事项" not in text
    for summary in LogEntry.objects.filter(case=hidden).values_list("summary", flat=True):
        assert not any(r.get("summary") == summary and r.get("case") == hidden.number for r in payload["records"])
    assert {r["case"] for r in payload["records"] if r["type"] in ("event", "alert")} <= {shown.number, None}
    assert payload["format_version"] == 3
    assert payload["confidential_counts"] == [
        {"department": hidden.department.code, "received": 1, "completed": 0, "open": 1}]
    assert not list(exchange.validator().iter_errors(payload))


def test_the_inbound_exchange_reads_version_3_batches_and_versions_2_and_1_still(demo, frozen, client):
    """Replay: this platform's own version-3 batch, and version-2 and version-1 batches of a
    department's older systems, are all taken in."""
    from accounts.models import Department
    from supervision.inbound import batch_receive

    item = factories.publish(factories.definition())
    frozen.move_to(at("2026-09-21", 9))
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    frozen.move_to(at("2026-09-22", 9))
    payload = exchange.batch_create().payload
    department = Department.objects.get(code="JB-SCJG")
    assert payload["format_version"] == 3
    report = batch_receive(department=department, system="own", payload=payload, actor=None)
    assert report.cases_stored == 1 and not report.rejected
    second = {k: v for k, v in payload.items() if k != "log_heads"} | {"format_version": 2, "batch_id": "e" * 32}
    report = batch_receive(department=department, system="second", payload=second, actor=None)
    assert report.cases_stored == 1 and not report.rejected
    older = {k: v for k, v in payload.items() if k not in ("confidential_counts", "log_heads")} | {
        "format_version": 1, "batch_id": "f" * 32}
    report = batch_receive(department=department, system="older", payload=older, actor=None)
    assert report.cases_stored == 1 and not report.rejected
