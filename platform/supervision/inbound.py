"""The inbound data exchange (docs/exchange.md, "Inbound"): a department's own approval system
pushes its cases and events in the export's format; each record is validated on its own against
the published schema and stored in ``ExternalCase``/``ExternalEvent``, and the answer reports
every record that was not stored by its index, with its error in Chinese.

The batch header (``format``, ``format_version``, ``count``, ``checksum`` …) is checked first: a
header that does not match refuses the whole batch, naming the field. Records are then judged one
by one, fully, before anything is written: the schema, every text (no NUL byte, no lone surrogate:
``core.inputs``), every number within its column (and a time limit within :data:`MAX_LIMIT_DAYS`),
the lengths of the columns, the department, the item and the dates. The good ones are stored in
chunks, each in a savepoint; a chunk the database still refuses is written again record by record,
each in its own savepoint, so that only the records it refuses are lost — and reported. One bad
record never loses the others. Events are keyed by (case, event id) with a database constraint: an
event sent again is reported as a duplicate, not stored twice and not an error.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import cache

from django.db import DatabaseError, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core.errors import InvalidInput
from core.inputs import json_problems
from runtime.clock import deadlines

from .exchange import FORMAT, READABLE_VERSIONS, checksum, validator
from .models import ExternalCase, ExternalEvent, InboundBatch

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# Lengths of the columns the records are stored in (the schema itself sets none).
MAX_LENGTH = {"case": {"number": 60, "item": 60, "item_name": 300, "department": 32, "certificate": 100},
              "event": {"case": 60, "kind": 40, "step": 60, "action": 40, "actor_role": 40}}
# The record's integers and the columns that hold them; a value outside a column's range (the
# same on every database: Django's portable ranges) is the record's error, not the database's.
INTEGER_COLUMNS = {"case": {name: ExternalCase._meta.get_field(name) for name in (
                       "statutory_limit_days", "promised_limit_days", "extension_days", "paused_days")},
                   "event": {"id": ExternalEvent._meta.get_field("event_id"),
                             "seq": ExternalEvent._meta.get_field("seq")}}
# What a write may raise for one bad row (SQLite binds an integer beyond 64 bits as OverflowError).
WRITE_ERRORS = (DatabaseError, OverflowError)
# A time limit is at most what the designer lets an item have (item.schema.json, "days").
MAX_LIMIT_DAYS = 3650
CASE_FIELDS = ["owner", "item", "unit_code", "unit_name", "channel", "applicant_type", "state", "decision",
               "received_on", "accepted_on", "deemed_accepted", "statutory_limit_days", "promised_limit_days",
               "extension_days", "paused_days", "statutory_due_on", "promised_due_on", "completed_on",
               "certificate", "updated_at"]


class BatchRefused(InvalidInput):
    code = "batch_refused"
    default_message = "交换批次被拒收"


@cache
def record_validators() -> dict:
    """One validator per record type, built once from the published schema (the same file and
    ``$defs`` the export validates its own batches with)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schema = validator().schema
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return {kind: Draft202012Validator({"$ref": f"{schema['$id']}#/$defs/{kind}"}, registry=registry,
                                       format_checker=Draft202012Validator.FORMAT_CHECKER)
            for kind in ("case", "event", "alert")}


def _where(error) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "$"


def _zh(error) -> str:
    """A schema error in Chinese, naming the field."""
    where, v = _where(error), error.validator
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"缺少字段 {missing}" if where == "$" else f"{where}：缺少字段 {missing}"
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{where}：不允许的字段 {', '.join(extra)}"
    if v in ("const", "enum"):
        allowed = [error.validator_value] if v == "const" else error.validator_value
        return f"{where}：取值 {error.instance!r} 不被接受，应为 {' / '.join(repr(a) for a in allowed)}"
    if v == "type":
        return f"{where}：类型错误，应为 {error.validator_value}"
    if v == "format":
        return f"{where}：格式错误，应为 {error.validator_value}（ISO 8601）"
    if v == "pattern":
        return f"{where}：格式错误，应匹配 {error.validator_value}"
    if v in ("minimum", "minLength"):
        return f"{where}：不能小于 {error.validator_value}" if v == "minimum" else f"{where}：不能为空"
    return f"{where}：不符合格式（{error.message}）"


def _schema_errors(v, instance) -> list[str]:
    return [_zh(e) for e in sorted(v.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])]


def check_header(payload) -> None:
    """Refuse the whole batch unless its header is right: format and version first (a batch of
    another version is not read at all), then the rest of the header, count and checksum."""
    if not isinstance(payload, dict):
        raise BatchRefused("交换批次应为 JSON 对象", details={"$": ["应为 JSON 对象"]})
    for name, accepted in (("format", (FORMAT,)), ("format_version", READABLE_VERSIONS)):
        if payload.get(name) not in accepted or isinstance(payload.get(name), bool):
            message = f"{name} 应为 {' 或 '.join(repr(a) for a in accepted)}，收到 {payload.get(name)!r}"
            raise BatchRefused(f"交换批次格式或版本不被接受：{message}", details={name: [message]})
    records = payload.get("records")
    if not isinstance(records, list):
        raise BatchRefused("records 应为数组", details={"records": ["应为数组"]})
    # A department's own system counts its confidential cases itself; the counts are read as
    # part of the header (schema-checked) and not stored.
    header = {k: v for k, v in payload.items() if k != "records"}
    texts = json_problems(header, max_depth=None)
    if texts:
        field, messages = next(iter(texts.items()))
        raise BatchRefused(f"交换批次头部不符合格式：{field}：{messages[0]}", details=texts)
    errors = _schema_errors(validator(), {**header, "records": []})
    if errors:
        raise BatchRefused(f"交换批次头部不符合格式：{errors[0]}", details={"$": errors})
    if payload["count"] != len(records):
        message = f"count 为 {payload['count']}，实际记录 {len(records)} 条"
        raise BatchRefused(f"交换批次不完整：{message}", details={"count": [message]})
    if payload["checksum"] != checksum(records):
        message = "checksum 与 records 不符（批次可能不完整或被改动）"
        raise BatchRefused(f"交换批次校验失败：{message}", details={"checksum": [message]})


@dataclass
class Report:
    batch_id: str
    received: int
    cases_stored: int = 0
    cases_updated: int = 0
    events_stored: int = 0
    duplicates: list[int] = field(default_factory=list)
    ignored: list[int] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def reject(self, index: int, kind, errors: list[str]) -> None:
        known = kind if kind in ("case", "event", "alert") else ""  # never echo an unknown value into the report
        self.rejected.append({"index": index, "type": known, "errors": errors})

    def as_dict(self) -> dict:
        return {"batch_id": self.batch_id, "received": self.received,
                "stored": {"cases": self.cases_stored, "cases_updated": self.cases_updated,
                           "events": self.events_stored},
                "duplicates": self.duplicates, "ignored": self.ignored,
                "rejected": sorted(self.rejected, key=lambda r: r["index"])}


def _too_long(kind: str, record: dict) -> list[str]:
    return [f"{name}：长度不能超过 {limit}" for name, limit in MAX_LENGTH[kind].items()
            if isinstance(record.get(name), str) and len(record[name]) > limit]


def _out_of_range(kind: str, record: dict) -> list[str]:
    errors = []
    for name, column in INTEGER_COLUMNS[kind].items():
        value = record.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        low, high = BaseDatabaseOperations.integer_field_ranges[column.get_internal_type()]
        if kind == "case":
            high = MAX_LIMIT_DAYS
        if not low <= value <= high:
            errors.append(f"{name}：取值 {value} 超出范围（{low}～{high}）")
    return errors


def record_errors(kind: str, record: dict, validator) -> list[str]:
    """Everything wrong with one record on its own, in Chinese, each naming its field: the texts and
    numbers first (they make the schema's own messages unreadable), then the schema, the integers'
    ranges and the columns' lengths."""
    texts = json_problems(record, max_depth=None)
    if texts:
        return [f"{path}：{'；'.join(messages)}" for path, messages in texts.items()]
    return _schema_errors(validator, record) or [*_out_of_range(kind, record), *_too_long(kind, record)]


def _store(rows: list[tuple[int, object]], write, report: Report, kind: str) -> list[tuple[int, object]]:
    """Write ``(index, row)`` pairs with ``write(rows)``: a chunk at a time, each in a savepoint; a
    chunk the database refuses is written again one record at a time, each in its own savepoint,
    and each record it still refuses is reported by its index. Returns the pairs written."""
    written = []
    for start in range(0, len(rows), BATCH_SIZE):
        chunk = rows[start:start + BATCH_SIZE]
        try:
            with transaction.atomic():
                write([row for _, row in chunk])
            written.extend(chunk)
            continue
        except WRITE_ERRORS:
            pass
        for index, row in chunk:
            try:
                with transaction.atomic():
                    write([row])
            except WRITE_ERRORS as exc:
                logger.warning("inbound record %s (%s) refused by the database: %s", index, kind, exc)
                report.reject(index, kind, ["数据库拒绝存储此记录（取值超出字段的允许范围或格式），请核对后重新推送"])
            else:
                written.append((index, row))
    return written


def _items_by_code(codes: set[str]) -> dict:
    """Item (or stage: ``<item code>-<stage code>``) codes to their approval items."""
    from designer.models import ApprovalItem

    bases = codes | {c.rsplit("-", 1)[0] for c in codes if "-" in c}
    items = {i.code: i for i in ApprovalItem.objects.filter(code__in=bases)}
    return {c: items.get(c) or (items.get(c.rsplit("-", 1)[0]) if "-" in c else None) for c in codes}


def _local_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


def batch_receive(*, department, system: str, payload, actor=None, now: dt.datetime | None = None) -> Report:
    """Validate and store one pushed batch from ``system`` of ``department`` (whose sections'
    cases it may carry too), and record it with its report (``InboundBatch``); the access check
    is the caller's (``access.require_exchange_pusher``)."""
    from accounts.models import Department

    check_header(payload)
    now = now or timezone.now()
    records = payload["records"]
    report = Report(batch_id=payload["batch_id"], received=len(records))
    validators = record_validators()

    cases, events = [], []  # (index, record) that passed the schema
    for index, record in enumerate(records):
        kind = record.get("type") if isinstance(record, dict) else None
        if not isinstance(kind, str) or kind not in validators:
            report.reject(index, kind, ["type：应为 'case'、'event' 或 'alert'"])
            continue
        if kind == "alert":  # alerts are raised by this platform's own sweep, never taken in
            report.ignored.append(index)
            continue
        errors = record_errors(kind, record, validators[kind])
        if errors:
            report.reject(index, kind, errors)
        else:
            (cases if kind == "case" else events).append((index, record))

    own = {d.code: d for d in Department.objects.filter(code__in={r["department"] for _, r in cases})
           .select_related("parent__parent")}
    items = _items_by_code({r["item"] for _, r in cases})
    good: dict[str, tuple[int, dict]] = {}  # number -> (index, the row's fields); a later record of a case wins
    for index, r in cases:
        errors = []
        owner = own.get(r["department"])
        if owner is None:
            errors.append(f"department：单位编码 {r['department']} 不存在")
        elif department.pk not in {d.pk for d in owner.ancestors_and_self()}:
            errors.append(f"department：{r['department']} 不是推送单位 {department.code} 或其下属科室")
        if items[r["item"]] is None:
            errors.append(f"item：事项编码 {r['item']} 不存在")
        dates = {k: parse_date(r[k]) if r[k] else None for k in ("received_on", "accepted_on", "statutory_due_on",
                                                                   "promised_due_on", "completed_on")}
        for name in ("accepted_on", "completed_on"):
            if dates[name] and dates[name] < dates["received_on"]:
                errors.append(f"{name}：不能早于收件日期 received_on")
        if errors:
            report.reject(index, "case", errors)
            continue
        if dates["accepted_on"] and not (dates["statutory_due_on"] and dates["promised_due_on"]):
            # the department's system sent no deadline: computed as the runtime's own cases' are
            try:
                due = deadlines(dates["accepted_on"], statutory_limit=r["statutory_limit_days"],
                                promised_limit=r["promised_limit_days"], extension_days=r["extension_days"],
                                paused_days=r["paused_days"])
            except (OverflowError, ValueError):  # beyond the last date the calendar can count to
                report.reject(index, "case", ["accepted_on：从受理日期起算的期限超出可计算的日期范围"])
                continue
            dates["statutory_due_on"] = dates["statutory_due_on"] or due.statutory_due_on
            dates["promised_due_on"] = dates["promised_due_on"] or due.promised_due_on
        good[r["number"]] = index, {
            "owner": owner, "item": items[r["item"]], "unit_code": r["item"], "unit_name": r["item_name"],
            "channel": r["channel"], "applicant_type": r["applicant_type"], "state": r["state"],
            "decision": r["decision"], "deemed_accepted": r["deemed_accepted"],
            "statutory_limit_days": r["statutory_limit_days"], "promised_limit_days": r["promised_limit_days"],
            "extension_days": r["extension_days"], "paused_days": r["paused_days"],
            "certificate": r["certificate"], "updated_at": now, **dates}

    with transaction.atomic():
        scope = ExternalCase.objects.filter(department=department, system=system)
        existing = {c.number: c for c in scope.filter(number__in=good).select_for_update()}
        new, changed = [], []
        for number, (index, values) in good.items():
            row = existing.get(number)
            if row is None:
                new.append((index, ExternalCase(department=department, system=system, number=number,
                                                first_received_at=now, **values)))
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append((index, row))
        report.cases_stored = len(_store(
            new, lambda rows: ExternalCase.objects.bulk_create(rows, ignore_conflicts=True), report, "case"))
        report.cases_updated = len(_store(
            changed, lambda rows: ExternalCase.objects.bulk_update(rows, CASE_FIELDS), report, "case"))

        numbers = {r["case"] for _, r in events}
        by_number = {c["number"]: c for c in scope.filter(number__in=numbers).values("pk", "number", "received_on")}
        stored = {(case_id, event_id): h for case_id, event_id, h in ExternalEvent.objects.filter(
            case_id__in=[c["pk"] for c in by_number.values()]).values_list("case_id", "event_id", "hash")}
        rows = []
        for index, r in events:
            case = by_number.get(r["case"])
            if case is None:
                report.reject(index, "event", [f"case：办件 {r['case']} 未推送过或已被拒收"])
                continue
            at = parse_datetime(r["at"])
            if at is None or at.tzinfo is None:
                report.reject(index, "event", ["at：格式错误，应为带时区的 date-time（ISO 8601）"])
                continue
            if at < _local_start(case["received_on"]):
                report.reject(index, "event", [f"at：事件时间 {r['at']} 早于办件收件日期 {case['received_on']}"])
                continue
            key = (case["pk"], r["id"])
            if key in stored:
                if stored[key] == r["hash"]:
                    report.duplicates.append(index)
                else:
                    report.reject(index, "event", [f"id：事件 {r['id']} 已接收，但内容（hash）不同"])
                continue
            stored[key] = r["hash"]
            rows.append((index, ExternalEvent(case_id=case["pk"], event_id=r["id"], seq=r["seq"], at=at,
                                              kind=r["kind"], summary=r["summary"], step=r["step"],
                                              action=r["action"], actor_role=r["actor_role"], hash=r["hash"],
                                              received_at=now)))
        rows = [row for _, row in _store(
            rows, lambda chunk: ExternalEvent.objects.bulk_create(chunk, ignore_conflicts=True), report, "event")]
        # a new event may finish a case's clock: the sweep re-reads the cases changed since it last ran
        ExternalCase.objects.filter(pk__in={row.case_id for row in rows}).update(updated_at=now)
        report.events_stored = len(rows)
        InboundBatch.objects.create(
            batch_id=report.batch_id, department=department, system=system,
            pushed_by=actor if getattr(actor, "is_authenticated", False) else None, received_at=now,
            received=report.received, stored=report.cases_stored + report.cases_updated + report.events_stored,
            duplicates=len(report.duplicates), rejected=len(report.rejected), report=report.as_dict())
    return report

