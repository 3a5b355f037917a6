"""The case log: append-only, hash-chained; tampering of any kind is detected."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from runtime.caselog import verify_case_log
from runtime.models import LogEntry

from .conftest import act, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo, item, frozen):
    case = submit(demo, item)
    case = act(demo.clerk, case)
    return act(demo.handler, case, opinion="拟同意")


def test_every_entry_links_to_the_previous_one(case):
    entries = list(LogEntry.objects.filter(case=case).order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert case.log_head == entries[-1].hash and verify_case_log(case).ok
    kinds = [e.kind for e in entries]
    assert kinds[:2] == ["submitted", "document_issued"] and "accepted" in kinds


def test_entries_cannot_be_changed_or_deleted_through_the_orm(case):
    entry = LogEntry.objects.filter(case=case).first()
    entry.opinion = "改过的意见"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_a_changed_opinion_is_detected(case):
    entry = LogEntry.objects.get(case=case, kind="task_completed", step_key="handle")
    LogEntry.objects.filter(pk=entry.pk).update(opinion="不同意")  # bypassing the model, as SQL would
    result = verify_case_log(case)
    assert not result.ok and result.problems == [f"第{entry.seq}条的内容已被改动（哈希不符）"]
    with pytest.raises(CommandError, match="1 个办件"):
        call_command("verify_case_log", case.number)


def test_a_removed_last_entry_and_a_forged_rehash_are_detected(case):
    from runtime.caselog import entry_hash

    last = LogEntry.objects.filter(case=case).order_by("-seq").first()
    LogEntry.objects.filter(pk=last.pk)._raw_delete(LogEntry.objects.db)
    assert any("链头" in p for p in verify_case_log(case).problems)

    # Rewriting an entry and re-hashing it breaks the link from the next one.
    first = LogEntry.objects.get(case=case, seq=2)
    first.summary = "伪造"
    LogEntry.objects.filter(pk=first.pk).update(summary="伪造", hash=entry_hash(first, case.number))
    assert any("上一条哈希" in p for p in verify_case_log(case).problems)


def test_command_passes_on_sound_logs(case, capsys):
    call_command("verify_case_log")
    assert "日志链校验通过：1 个办件" in capsys.readouterr().out
