"""Offline check of an archive package (``manage.py archive_verify``): needs only the keyring
(``CASE_LOG_KEYS``), no database. Names every file changed, missing or added, a manifest that no
longer matches its keyed checksum, and every log entry whose seal or link is broken."""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from dataclasses import dataclass, field

from runtime import caselog

from .package import LOG, MANIFEST, SIGNATURE


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_all(archive: zipfile.ZipFile, report: Report) -> dict[str, bytes]:
    contents = {}
    for name in archive.namelist():
        try:
            contents[name] = archive.read(name)
        except (zipfile.BadZipFile, OSError):  # the zip's own CRC no longer matches the bytes
            report.problems.append(f"文件 {name} 已损坏或被改动（压缩包校验不符）")
            contents[name] = b""
    return contents


def _check_signature(manifest_bytes: bytes, signature_bytes: bytes | None, report: Report) -> None:
    if signature_bytes is None:
        report.problems.append(f"缺少清单校验文件 {SIGNATURE}")
        return
    try:
        signature = json.loads(signature_bytes)
        expected = caselog.seal(manifest_bytes, signature["key_id"])
    except caselog.UnknownLogKey as error:
        report.problems.append(f"清单校验密钥编号 {error} 未配置，无法核验")
        return
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"清单校验文件 {SIGNATURE} 格式不正确")
        return
    if not signature["key_id"] or not hmac.compare_digest(expected, str(signature.get("hmac", ""))):
        report.problems.append(f"清单 {MANIFEST} 已被改动（密钥校验和不符）")


def _check_log(log_bytes: bytes, manifest: dict, report: Report) -> None:
    try:
        log = json.loads(log_bytes)
        entries = log["entries"]
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"办件日志 {LOG} 无法读取")
        return
    prev = caselog.GENESIS
    for position, entry in enumerate(entries, start=1):
        payload = entry.get("payload", {})
        seq = payload.get("seq")
        if seq != position:
            report.problems.append(f"办件日志第{position}条缺失或序号被改动（实际为第{seq}条）")
        if payload.get("prev") != prev:
            report.problems.append(f"办件日志第{seq}条的上一条哈希与链不符")
        try:
            sealed = caselog.seal(caselog.canonical_bytes(payload), payload.get("key", ""))
        except caselog.UnknownLogKey:
            report.problems.append(f"办件日志第{seq}条的密钥编号 {payload.get('key')} 未配置，无法核验")
        else:
            if not payload.get("key") or not hmac.compare_digest(sealed, str(entry.get("hash", ""))):
                report.problems.append(f"办件日志第{seq}条的内容已被改动（哈希不符）")
        prev = entry.get("hash", "")
    if len(entries) != manifest.get("日志条数") or prev != (manifest.get("日志链头") or caselog.GENESIS):
        report.problems.append(f"办件日志链头不符：清单记录 {manifest.get('日志条数')} 条，实有 {len(entries)} 条")


def verify_package(path_or_file) -> Report:
    report = Report()
    try:
        archive = zipfile.ZipFile(path_or_file)
    except (zipfile.BadZipFile, OSError) as error:
        report.problems.append(f"不是可读的归档包（zip）：{error}")
        return report
    with archive:
        contents = _read_all(archive, report)
    manifest_bytes = contents.pop(MANIFEST, None)
    if manifest_bytes is None:
        report.problems.append(f"缺少清单 {MANIFEST}")
        return report
    _check_signature(manifest_bytes, contents.pop(SIGNATURE, None), report)
    try:
        manifest = json.loads(manifest_bytes)
        listed = {f["路径"]: f for f in manifest["文件"]}
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"清单 {MANIFEST} 无法读取")
        return report
    for path, entry in listed.items():
        if path not in contents:
            report.problems.append(f"缺少文件 {path}（{entry.get('题名', '')}）")
        elif hashlib.sha256(contents[path]).hexdigest() != entry.get("sha256"):
            report.problems.append(f"文件 {path}（{entry.get('题名', '')}）已被改动（sha256 不符）")
    report.problems.extend(f"多出清单未列的文件 {path}" for path in sorted(set(contents) - set(listed)))
    report.files = len(listed)
    if LOG in contents:
        _check_log(contents[LOG], manifest, report)
    return report
