"""Checking an uploaded material: size, type sniffed from the content (never the file name) and
SHA-256. The item's material says which types and what size it accepts. And storing it safely:
:func:`atomic_with_files` removes the files a failed transaction wrote."""

from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

import filetype
from django.db import transaction

logger = logging.getLogger(__name__)

# What the content sniffer reports, as the designer's file types.
_SNIFFED = {"jpeg": "jpg", "jpg": "jpg", "png": "png", "pdf": "pdf", "doc": "doc", "docx": "docx", "xls": "xls",
            "xlsx": "xlsx", "zip": "zip"}
TYPE_LABELS = {"pdf": "PDF", "jpg": "JPG 图片", "png": "PNG 图片", "ofd": "OFD 版式文件", "doc": "Word",
               "docx": "Word", "xls": "Excel", "xlsx": "Excel", "zip": "ZIP 压缩包"}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    size: int
    sniffed_type: str
    sha256: str


def sniff(content: bytes, name: str = "") -> str:
    """The designer file type the content really is, or ``""`` when it is none of them."""
    kind = filetype.guess(content[:8192] if len(content) > 8192 else content)
    if kind is None:
        return ""
    found = _SNIFFED.get(kind.extension, "")
    if found == "zip" and name.lower().endswith(".ofd"):
        return "ofd"  # OFD is a zip container
    return found


def check_upload(*, material: dict, name: str, content: bytes) -> tuple[CheckedFile | None, list[str]]:
    problems = []
    limit = material["max_size_mb"] * 1024 * 1024
    if len(content) > limit:
        problems.append(f"文件“{name}”超过 {material['max_size_mb']} MB 的上限")
    if not content:
        problems.append(f"文件“{name}”是空文件")
    kind = sniff(content, name) if content else ""
    allowed = material["file_types"]
    if content and kind not in allowed:
        wanted = "、".join(TYPE_LABELS.get(t, t) for t in allowed)
        seen = f"实际内容为 {TYPE_LABELS.get(kind, kind)}" if kind else "无法识别其内容"
        problems.append(f"文件“{name}”的类型不符合要求：应为 {wanted}，{seen}")
    if problems:
        return None, problems
    return CheckedFile(name[:200], content, len(content), kind, hashlib.sha256(content).hexdigest()), []


# --- Files written inside a transaction -------------------------------------------------------
#
# A file reaches the storage at once, its row only when the transaction commits. Django has
# ``transaction.on_commit`` but no "on rollback", so the services that store materials run in
# :func:`atomic_with_files`: the names written inside it are deleted again when the block ends
# with an exception (the rows are gone, so the files must go too). A nested block that succeeds
# hands its names to the enclosing one, so a savepoint that committed and an outer block that
# then failed still removes them; a savepoint that rolled back removes its own at once.

_WRITTEN: ContextVar[list | None] = ContextVar("runtime_files_written", default=None)


def remember_written(storage, name: str) -> None:
    """Record a file just written to ``storage`` by the enclosing :func:`atomic_with_files`."""
    written = _WRITTEN.get()
    if written is not None:
        written.append((storage, name))


def _delete(written: list) -> None:
    for storage, name in written:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - cleaning up must never hide the error that caused it
            logger.exception("回滚后未能删除已写入的文件 %s", name)


@contextmanager
def files_rolled_back_with(using: str | None = None):
    """``transaction.atomic(using)`` that also deletes the files written inside it when it fails."""
    written: list = []
    token = _WRITTEN.set(written)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        _delete(written)
        raise
    finally:
        _WRITTEN.reset(token)
    outer = _WRITTEN.get()
    if outer is not None:
        outer.extend(written)


def stored(file) -> list[tuple]:
    """A ``FieldFile`` as its (storage, name), taken now (saving a new file renames the object);
    none when it holds no file."""
    return [(file.storage, file.name)] if file else []


def delete_on_commit(written: list[tuple]) -> None:
    """Delete these stored files (``stored`` pairs) once the transaction commits: their rows are
    going, and a rollback must keep both."""
    if written:
        transaction.on_commit(lambda: _delete(list(written)))


def atomic_with_files(func):
    """Decorator form of :func:`files_rolled_back_with` for services (in place of ``transaction.atomic``)."""

    @wraps(func)
    def wrapped(*args, **kwargs):
        with files_rolled_back_with():
            return func(*args, **kwargs)

    return wrapped
