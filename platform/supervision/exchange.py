"""The daily data exchange (docs/exchange.md): every case change since the last batch, as a
versioned, checksummed batch validated against ``schemas/exchange-batch.schema.json``.

A daily batch covers the case log entries with ids after the previous daily batch's last one, up
to the newest entry older than ``LAG`` (so an entry of a transaction still running is not passed
over), and the alerts raised, escalated or resolved in the same time window. Each batch is stored
with its payload, delivered through the configured deliveries (``deliveries.py``: the
``VAR_DIR/exchange/`` outbox always, the city's HTTP endpoint when enabled), retried in order
while it is pending, and can be delivered again on request.

Cases of confidential items (涉密事项: "涉及保密信息的项目一律不上网办理") never leave: none of their
case records, log entries or alerts is in a batch; the city gets them counted by department only
(``confidential_counts``, format version 2) and get no log head either.

Format version 3 adds ``log_heads``: for each case whose log grew within the batch, its log's
length and head hash (the keyed hash of its last entry up to the batch's end). The city keeps
them, so a log re-sealed later cannot match what it already holds (docs/exchange.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from functools import cache
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from .deliveries import DeliveryFailed, configured, deliveries, outbox_path
from .models import LEVEL_KEYS, Alert, ExchangeBatch

FORMAT, VERSION = "approval-supervision-exchange", 3
# What the inbound exchange takes: version 1 has no confidential_counts, version 2 no log_heads.
READABLE_VERSIONS = (1, 2, 3)
LAG = dt.timedelta(minutes=5)
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "exchange-batch.schema.json"


@cache
def validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def checksum(records: list) -> str:
    text = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # surrogatepass: a pushed record with a lone surrogate (refused by inbound, record by record)
    # must not make the batch's checksum itself fail; valid text encodes as plain UTF-8
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _case_record(case) -> dict:
    certificate = getattr(case, "certificate", None) if hasattr(case, "certificate") else None
    return {"type": "case", "number": case.number, "item": case.unit_code, "item_name": case.unit_name,
            "department": case.department.code, "channel": case.channel, "applicant_type": case.applicant.kind,
            "state": case.state, "decision": case.decision, "received_on": case.received_on.isoformat(),
            "accepted_on": _iso(case.accepted_on), "deemed_accepted": case.deemed_accepted,
            "statutory_limit_days": case.statutory_limit_days, "promised_limit_days": case.promised_limit_days,
            "extension_days": case.extension_days, "paused_days": case.paused_days,
            "statutory_due_on": _iso(case.statutory_due_on), "promised_due_on": _iso(case.promised_due_on),
            "completed_on": _iso(case.completed_on), "certificate": certificate.number if certificate else None}


def _records(entries, alerts) -> list[dict]:
    from runtime.models import Case, Certificate

    entries = list(entries)
    numbers = dict(Case.objects.filter(pk__in={e.case_id for e in entries}).values_list("pk", "number"))
    cases = (Case.objects.filter(pk__in=numbers).select_related("department", "applicant").order_by("number"))
    certificates = dict(Certificate.objects.filter(case_id__in=numbers).values_list("case_id", "number"))
    records = []
    for case in cases:
        record = _case_record(case)
        record["certificate"] = certificates.get(case.pk)
        records.append(record)
    for e in entries:
        records.append({"type": "event", "id": e.pk, "case": numbers[e.case_id], "seq": e.seq,
                        "at": e.at.isoformat(), "kind": e.kind, "summary": e.summary, "step": e.step_key,
                        "action": str((e.data or {}).get("action", "")), "actor_role": e.actor_role, "hash": e.hash})
    for a in alerts:
        records.append({"type": "alert", "id": a.pk, "case": a.case.number if a.case_id else None, "kind": a.kind,
                        "subject": f"{a.subject_type}:{a.subject_id}", "level": LEVEL_KEYS[a.level],
                        "department": a.department.code, "raised_at": a.raised_at.isoformat(),
                        "escalated_at": _iso(a.escalated_at), "resolved_at": _iso(a.resolved_at)})
    return records


def _log_heads(after_id: int, up_to_id: int) -> list[dict]:
    """Each non-confidential case with entries in the window: its last entry there (length, hash)."""
    from runtime.models import LogEntry

    heads: dict[str, tuple[int, str]] = {}
    for number, seq, head in (LogEntry.objects.filter(pk__gt=after_id, pk__lte=up_to_id)
                              .exclude(case__in=confidential_cases())
                              .values_list("case__number", "seq", "hash").order_by("case__number", "seq")):
        heads[number] = (seq, head)  # ordered by seq: the last one wins
    return [{"case": number, "length": seq, "head": head} for number, (seq, head) in sorted(heads.items())]


def confidential_cases():
    """Cases of an item that is confidential now or was in the version the case runs on."""
    from runtime.models import Case

    return Case.objects.filter(Q(item__confidential=True) | Q(version__document__confidential=True))


def _confidential_counts(after_id: int, up_to_id: int) -> list[dict]:
    """By handling department: confidential cases first received and completed within the batch's
    log entries, and those open now. Departments with none at all are left out."""
    from runtime.models import OPEN_STATES, LogEntry

    secret = confidential_cases()
    window = LogEntry.objects.filter(pk__gt=after_id, pk__lte=up_to_id, case__in=secret)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"received": 0, "completed": 0, "open": 0})
    figures = (("received", window.filter(seq=1)), ("completed", window.filter(kind="completed")))
    for name, entries in figures:
        for code, n in (entries.values_list("case__department__code")
                        .annotate(n=Count("case", distinct=True)).order_by()):
            counts[code][name] = n
    for code, n in (secret.filter(state__in=OPEN_STATES).values_list("department__code")
                    .annotate(n=Count("pk")).order_by()):
        counts[code]["open"] = n
    return [{"department": code, **figures} for code, figures in sorted(counts.items())]


def _changed_alerts(after, up_to):
    window = Q(raised_at__lte=up_to) & (Q(raised_at__gt=after) | Q(escalated_at__gt=after, escalated_at__lte=up_to)
                                        | Q(resolved_at__gt=after, resolved_at__lte=up_to)) if after else \
        Q(raised_at__lte=up_to)
    return (Alert.objects.filter(window).exclude(case__in=confidential_cases())
            .select_related("case", "department").order_by("pk"))


@transaction.atomic
def batch_create(*, since: dt.date | None = None, now: dt.datetime | None = None) -> ExchangeBatch:
    """The next batch: daily (from where the last daily batch ended) or, with ``since``, every
    change since that local date (a catch-up batch that does not move the daily position)."""
    from runtime.models import LogEntry

    now = now or timezone.now()
    up_to_at = now - LAG
    last = ExchangeBatch.objects.select_for_update().filter(daily=True).order_by("-sequence").first()
    newest = LogEntry.objects.filter(at__lte=up_to_at).aggregate(m=Max("pk"))["m"] or 0
    if since is None:
        after_id = last.up_to_log_id if last else 0
        alerts_after = last.alerts_up_to if last else None
    else:
        start = dt.datetime.combine(since, dt.time(0), tzinfo=timezone.get_current_timezone())
        after_id = (LogEntry.objects.filter(at__lt=start).aggregate(m=Max("pk"))["m"] or 0)
        alerts_after = start
    up_to_id = max(newest, after_id)
    entries = (LogEntry.objects.filter(pk__gt=after_id, pk__lte=up_to_id).exclude(case__in=confidential_cases())
               .order_by("pk"))
    records = _records(entries, _changed_alerts(alerts_after, up_to_at))
    sequence = (ExchangeBatch.objects.aggregate(m=Max("sequence"))["m"] or 0) + 1
    batch_id = uuid.uuid4().hex
    payload = {"format": FORMAT, "format_version": VERSION, "batch_id": batch_id, "sequence": sequence,
               "created_at": now.isoformat(),
               "period": {"after_log_id": after_id, "up_to_log_id": up_to_id, "alerts_after": _iso(alerts_after),
                          "alerts_up_to": up_to_at.isoformat()},
               "count": len(records), "checksum": checksum(records), "records": records,
               "confidential_counts": _confidential_counts(after_id, up_to_id),
               "log_heads": _log_heads(after_id, up_to_id)}
    errors = sorted(validator().iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:  # our own output must match the published schema
        raise ValueError(f"交换批次不符合格式：{errors[0].json_path}: {errors[0].message}")
    return ExchangeBatch.objects.create(
        batch_id=batch_id, sequence=sequence, daily=since is None, created_at=now, after_log_id=after_id,
        up_to_log_id=up_to_id, alerts_after=alerts_after, alerts_up_to=up_to_at, count=len(records),
        checksum=payload["checksum"], payload=payload)


def batch_deliver(*, batch: ExchangeBatch) -> Path:
    """Deliver the batch (again, if asked) through every configured delivery, outbox first.

    A failure is recorded on the batch (``last_error``, ``attempts``), which stays pending, and
    raised: the caller stops there, so a later batch never overtakes it. A batch is not sent at
    all while an earlier one is pending (re-sending a delivered batch is always allowed: the
    receiver deduplicates by ``X-Batch-Id``)."""
    earlier = (ExchangeBatch.objects.filter(state=ExchangeBatch.State.PENDING, sequence__lt=batch.sequence)
               .order_by("sequence").values_list("sequence", flat=True).first()
               if batch.state == ExchangeBatch.State.PENDING else None)
    if earlier is not None:
        batch.last_error = f"等待第{earlier}批送达后再发送"
        batch.save(update_fields=["last_error"])
        raise DeliveryFailed(f"第{earlier}批尚未送达，第{batch.sequence}批须在它之后发送")
    batch.attempts += 1
    for key in configured():
        try:
            deliveries.get(key).send(batch)
        except Exception as exc:
            batch.last_error = str(exc)[:300]
            batch.save(update_fields=["attempts", "last_error"])
            raise
    batch.state, batch.delivered_at, batch.last_error = ExchangeBatch.State.DELIVERED, timezone.now(), ""
    batch.save(update_fields=["state", "delivered_at", "attempts", "last_error"])
    return outbox_path(batch)


def exchange_daily() -> list[str]:
    """Deliver every pending batch (retry) in order, then make and deliver today's. The first
    failure stops the run (and is raised, for the task's back-off): nothing later is sent before it.
    Safe to run twice: a day that has its daily batch gets no second one (a run handed to another
    worker after the first died, a retry, a run by hand only deliver what is pending)."""
    delivered = []
    for batch in ExchangeBatch.objects.filter(state=ExchangeBatch.State.PENDING).order_by("sequence"):
        delivered.append(str(batch_deliver(batch=batch)))
    if not ExchangeBatch.objects.filter(daily=True, created_at__date=timezone.localdate()).exists():
        delivered.append(str(batch_deliver(batch=batch_create())))
    return delivered
