"""The case log's chain is keyed (HMAC with CASE_LOG_KEYS, separate from SECRET_KEY): whoever edits
an entry and recomputes every hash and the case's head without the key gets a chain that fails;
only the key holder can seal; keys rotate, older entries verify under their own key id."""

from __future__ import annotations

import hashlib

import pytest

from runtime import caselog
from runtime.caselog import GENESIS, verify_case_log
from runtime.models import Case, LogEntry

from .conftest import act, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(demo, item, frozen):
    return act(demo.clerk, submit(demo, item))


def _reseal(case, seal) -> None:
    """Edit the second entry, then recompute every link and hash and the case's head with ``seal``."""
    entries = list(LogEntry.objects.filter(case=case).order_by("seq"))
    entries[1].summary = "伪造的摘要"
    prev = GENESIS
    for entry in entries:
        entry.prev_hash = prev
        entry.hash = seal(entry)
        prev = entry.hash
    LogEntry.objects.bulk_update(entries, ["summary", "prev_hash", "hash", "key_id"])
    Case.objects.filter(pk=case.pk).update(log_head=prev)


def test_a_log_resealed_with_plain_hashes_fails(case):
    assert verify_case_log(case).ok and LogEntry.objects.filter(case=case, key_id="dev").count() == case.log_length

    def plain(entry):
        entry.key_id = ""
        return hashlib.sha256(caselog._canonical(entry, case.number)).hexdigest()

    _reseal(case, plain)
    result = verify_case_log(Case.objects.get(pk=case.pk))
    assert not result.ok and any("未用日志密钥封存" in p for p in result.problems)


def test_a_log_resealed_under_a_guessed_key_fails_and_only_the_key_holder_passes(case, settings):
    settings.CASE_LOG_KEYS = {**settings.CASE_LOG_KEYS, "forged": "attacker-guess"}

    def forged(entry):
        entry.key_id = "dev"  # claims the real key id, sealed with another key
        settings.CASE_LOG_KEYS["dev"], real = "attacker-guess", settings.CASE_LOG_KEYS["dev"]
        try:
            return caselog.entry_hash(entry, case.number)
        finally:
            settings.CASE_LOG_KEYS["dev"] = real

    _reseal(case, forged)
    assert not verify_case_log(Case.objects.get(pk=case.pk)).ok
    _reseal(case, lambda entry: caselog.entry_hash(entry, case.number))  # the key holder
    assert verify_case_log(Case.objects.get(pk=case.pk)).ok


def test_keys_rotate_older_entries_verify_under_their_own_key(demo, case, settings):
    settings.CASE_LOG_KEYS = {"dev": settings.CASE_LOG_KEYS["dev"], "k2027": "new-key-of-2027"}
    settings.CASE_LOG_KEY_ID = "k2027"
    case = act(demo.handler, Case.objects.get(pk=case.pk))
    ids = list(LogEntry.objects.filter(case=case).order_by("seq").values_list("key_id", flat=True))
    assert ids[0] == "dev" and ids[-1] == "k2027"
    assert verify_case_log(case).ok
    settings.CASE_LOG_KEYS = {"k2027": "new-key-of-2027"}  # the old key dropped too early
    result = verify_case_log(case)
    assert not result.ok and any("密钥编号 dev 未配置" in p for p in result.problems)
