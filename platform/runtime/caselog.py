"""The case log: append-only, each entry sealed with a keyed hash (HMAC-SHA-256) over its content
and the previous entry's hash, and the head (length and last hash) kept on the case so truncation
shows too.

``hash = HMAC-SHA-256(CASE_LOG_KEYS[key_id], canonical JSON of {case, seq, at, kind, summary, actor,
actor_name, actor_role, step, task, opinion, data, prev, key})``; the first entry's ``prev`` is
``GENESIS``. Without the key nobody can re-seal an edited log: recomputing the hashes no longer
makes it verify. The key is separate from ``SECRET_KEY`` and has an id stored on each entry, so
keys rotate (new entries take ``CASE_LOG_KEY_ID``; entries of older ids verify while their key is
kept). Entries written before the chain was keyed were re-sealed by migration 0008 if their plain
SHA-256 chain verified then; an entry left unkeyed (``key_id`` empty) never verifies. See
docs/runtime.md, "The case log".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from . import rows
from .models import Case, LogEntry

GENESIS = "0" * 64
# The moment the service acts "as of" (its ``now``), kept on the case instance it locked or
# created: every entry, document and date of that action takes it (see ``acting_at``).
NOW = "_acting_at"


def act_as_of(case: Case, now: dt.datetime) -> None:
    """Record on the case instance the moment this action happens (a service's ``now``)."""
    case.__dict__[NOW] = now


def acting_at(case: Case) -> dt.datetime:
    """The moment of the action in progress on this case (``timezone.now()`` if none was set)."""
    return case.__dict__.get(NOW) or timezone.now()


def entry_payload(entry: LogEntry, case_number: str) -> dict:
    """What an entry's hash seals (also written to archive packages, which check it offline)."""
    payload = {
        "case": case_number,
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "kind": entry.kind,
        "summary": entry.summary,
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "step": entry.step_key,
        "task": entry.task_id,
        "opinion": entry.opinion,
        "data": entry.data,
        "prev": entry.prev_hash,
    }
    if entry.key_id:  # the key's id is sealed too: an entry cannot be moved under another key
        payload["key"] = entry.key_id
    return payload


def canonical_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _canonical(entry: LogEntry, case_number: str) -> bytes:  # migration 0009 re-sealed with this
    return canonical_bytes(entry_payload(entry, case_number))


class UnknownLogKey(LookupError):
    """An entry names a key id that ``CASE_LOG_KEYS`` no longer (or never) had."""


def seal(content: bytes, key_id: str) -> str:
    """HMAC-SHA-256 of ``content`` under the case-log key ``key_id`` (plain SHA-256 without one);
    the keyring also seals archive manifests."""
    if not key_id:
        return hashlib.sha256(content).hexdigest()
    key = settings.CASE_LOG_KEYS.get(key_id)
    if key is None:
        raise UnknownLogKey(key_id)
    return hmac.new(key.encode("utf-8"), content, hashlib.sha256).hexdigest()


def entry_hash(entry: LogEntry, case_number: str) -> str:
    return seal(canonical_bytes(entry_payload(entry, case_number)), entry.key_id)


PENDING = "_pending_log"
_PLAIN = (str, int, bool, float, type(None))


def _as_json(data: dict) -> dict:
    """The entry's data as JSON gives it back (dates and other values as text): what is sealed is
    what is stored. Data of plain values already is (no round trip)."""
    if all(type(k) is str and (type(v) in _PLAIN or type(v) is list and all(type(i) in _PLAIN for i in v))
           for k, v in data.items()):
        return {k: list(v) if type(v) is list else v for k, v in data.items()}
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def append(case: Case, *, kind: str, summary: str, actor=None, actor_role: str = "", step_key: str = "",
           task=None, opinion: str = "", data: dict | None = None, at=None) -> LogEntry:
    """Append one entry. The caller holds the case row locked; ``log_length``/``log_head`` are
    updated here on the instance, and the entry is sealed now but written by :func:`flush`, so
    that the entries of one transaction go to the database in one INSERT. The services write
    the case through ``flush`` then ``save``; ``engine.emit`` refuses a case with entries left."""
    entry = rows.new(
        LogEntry, case=case, seq=case.log_length + 1, at=at or acting_at(case), kind=kind, summary=summary[:300],
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") if actor is not None else "系统"),
        actor_role=actor_role, step_key=step_key, task=task, opinion=opinion, data=_as_json(data or {}),
        prev_hash=case.log_head or GENESIS, key_id=settings.CASE_LOG_KEY_ID,
    )
    entry.hash = entry_hash(entry, case.number)
    case.__dict__.setdefault(PENDING, []).append(entry)
    case.log_length = entry.seq
    case.log_head = entry.hash
    return entry


def flush(case: Case) -> None:
    """Write the entries appended since the last flush (one INSERT; entries are never updated)."""
    pending = take_pending(case)
    if pending:
        rows.insert(pending, returning=False)


def take_pending(case: Case) -> list[LogEntry]:
    """The entries appended since the last flush, for the caller to write."""
    return case.__dict__.pop(PENDING, None) or []


def has_pending(case: Case) -> bool:
    return bool(case.__dict__.get(PENDING))


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    problems: list[str]


def verify_case_log(case: Case) -> Verification:
    """Recompute the chain; report every entry whose content, link or order was changed, and a
    head that does not match (entries removed from the end)."""
    problems: list[str] = []
    prev = GENESIS
    count = 0
    for expected_seq, entry in enumerate(LogEntry.objects.filter(case=case).order_by("seq"), start=1):
        count += 1
        if entry.seq != expected_seq:
            problems.append(f"第{expected_seq}条缺失或序号被改动（实际为第{entry.seq}条）")
        if entry.prev_hash != prev:
            problems.append(f"第{entry.seq}条的上一条哈希与链不符")
        if not entry.key_id:  # sealed with a plain hash that anyone can recompute
            problems.append(f"第{entry.seq}条未用日志密钥封存，无法证明未被改动")
        try:
            sealed = entry_hash(entry, case.number)
        except UnknownLogKey:
            problems.append(f"第{entry.seq}条的密钥编号 {entry.key_id} 未配置，无法核验")
        else:
            if not hmac.compare_digest(sealed, entry.hash):
                problems.append(f"第{entry.seq}条的内容已被改动（哈希不符）")
        prev = entry.hash
    if count != case.log_length or prev != (case.log_head or GENESIS):
        problems.append(f"日志链头不符：办件记录 {case.log_length} 条，实有 {count} 条")
    return Verification(not problems, count, problems)
