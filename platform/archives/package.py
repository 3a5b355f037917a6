"""The archive package of an ended case (电子档案归档包): one zip holding every document (PDF), every
material file, the form and decision data, every opinion, the case log with its chain, and
``manifest.json`` — metadata named as DA/T 85-2019 names them, with a SHA-256 per file — sealed by
``manifest.sig`` (HMAC-SHA-256 of the manifest's bytes under a case-log key, with the key's id).

:func:`build` reads the database; :mod:`archives.verify` checks a package with nothing but the
keyring. The format is described in docs/archives.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from django.conf import settings

from designer.defaults import DEFAULT_RETENTION
from runtime import caselog
from runtime.models import Case, CaseState, LogEntry, Task
from runtime.selectors import document_pdf

FORMAT_VERSION = "1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
LOG = "log.json"
ENDED_STATES = frozenset({CaseState.DELIVERED, CaseState.REFUSED, CaseState.WITHDRAWN})


def retention_of(case: Case) -> str:
    """The item's 保管期限 as set in the designer (``retention``; 30年 when the item names none)."""
    return case.version.document.get("retention") or DEFAULT_RETENTION


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _opinions(case: Case) -> list[dict]:
    tasks = Task.objects.filter(case=case).order_by("opened_at", "pk").prefetch_related("signatures__signer")
    return [{"环节": t.step_name, "步骤": t.step_key, "操作": t.action, "办理人": getattr(t.completed_by, "display_name", ""),
             "完成时间": _iso(t.completed_at), "意见": t.opinion, "决定事项": t.decision,
             "会签": [{"签署人": s.signer.display_name, "意见": s.opinion, "签署时间": _iso(s.signed_at)}
                    for s in t.signatures.all()]}
            for t in tasks]


def _log(case: Case) -> dict:
    entries = LogEntry.objects.filter(case=case).order_by("seq")
    return {"办件编号": case.number, "条数": case.log_length, "链头": case.log_head,
            "entries": [{"payload": caselog.entry_payload(e, case.number), "hash": e.hash} for e in entries]}


def _applicant(case: Case) -> dict:
    person = case.applicant
    natural = person.kind == person.Kind.NATURAL
    return {"申请人": person.name, "申请人类型": person.get_kind_display(),
            "申请人证件号码": person.id_number if natural else person.credit_code}


def _files(case: Case) -> list[tuple[str, str, bytes]]:
    """(path in the zip, title, content) of every document and material file."""
    files = [(f"documents/{d.number}.pdf", d.title, document_pdf(d))
             for d in case.documents.order_by("issued_at", "pk")]
    for position, material in enumerate(case.materials.order_by("pk"), start=1):
        if material.file:
            with material.file.open("rb") as handle:
                content = handle.read()
            name = material.original_name or material.file.name.rsplit("/", 1)[-1]
            files.append((f"materials/{position:02d}-{material.key}-{name}", material.name, content))
    return files


@dataclass(frozen=True)
class Package:
    content: bytes
    manifest: dict
    manifest_sha256: str
    key_id: str


def build(case: Case, *, archived_at: dt.datetime) -> Package:
    data = {"办件编号": case.number, "状态": case.get_state_display(), "审批决定": case.get_decision_display(),
            "申请渠道": case.get_channel_display(), "表单数据": case.form_data}
    entries = _files(case) + [("case.json", "表单与决定数据", _json(data)),
                              ("opinions.json", "办理意见", _json(_opinions(case))),
                              (LOG, "办件日志（哈希链）", _json(_log(case)))]
    manifest = {
        "格式版本": FORMAT_VERSION,
        "事项编码": case.unit_code,
        "事项名称": case.unit_name,
        "办件编号": case.number,
        **_applicant(case),
        "实施机构": case.department.name,
        "申请渠道": case.get_channel_display(),
        "收件时间": _iso(case.received_on),
        "受理时间": _iso(case.accepted_on),
        "办结时间": _iso(case.completed_on or archived_at.date()),
        "办理结果": case.get_state_display(),
        "审批决定": case.get_decision_display(),
        "保管期限": retention_of(case),
        "归档时间": archived_at.isoformat(timespec="seconds"),
        "日志条数": case.log_length,
        "日志链头": case.log_head,
        "文件": [{"路径": path, "题名": title, "字节数": len(content), "sha256": hashlib.sha256(content).hexdigest()}
               for path, title, content in entries],
    }
    manifest_bytes = _json(manifest)
    key_id = settings.CASE_LOG_KEY_ID
    signature = {"key_id": key_id, "hmac": caselog.seal(manifest_bytes, key_id)}
    buffer = io.BytesIO()
    stamp = archived_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, _title, content in [*entries, (MANIFEST, "", manifest_bytes), (SIGNATURE, "", _json(signature))]:
            archive.writestr(zipfile.ZipInfo(path, date_time=stamp), content)
    return Package(buffer.getvalue(), manifest, hashlib.sha256(manifest_bytes).hexdigest(), key_id)
