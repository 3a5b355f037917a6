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
