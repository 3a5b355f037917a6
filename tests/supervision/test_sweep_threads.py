"""A whole sweep on PostgreSQL judges its rule kinds side by side, on threads of their own
(``SUPERVISION_SWEEP_THREADS``): it leaves the alerts one after the other leaves, a kind failing
on its thread is skipped like any other, and the threads give their connections back."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from supervision.models import Alert, JudgedDay

from .test_partitions import late_cases, on_postgresql, open_alerts

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), on_postgresql]


def judged_on_threads(monkeypatch) -> dict[str, str]:
    """Which thread judged each kind, as the sweep runs (kind key → thread name)."""
    from supervision import services

    seen, judge_kind = {}, services.judge_kind

    def noting(kind, **kwargs):
        seen[kind.key] = threading.current_thread().name
        return judge_kind(kind, **kwargs)

    monkeypatch.setattr(services, "judge_kind", noting)
    return seen


def test_kinds_judged_side_by_side_leave_what_one_after_the_other_leaves(demo, time_machine, monkeypatch,
                                                                         settings):
    from supervision.services import sweep

    late_cases(demo, time_machine)
    settings.SUPERVISION_SWEEP_THREADS = 2
    threads = judged_on_threads(monkeypatch)
    side_by_side = sweep(full=True, notify=False)
    # the clocks were judged on the sweep's own threads, not on the caller's
    assert threads["case_clock"].startswith("sweep") and threads["step_clock"].startswith("sweep")
    alerts = open_alerts()
    assert len(alerts) == 12 and {a[3] for a in alerts} == {3}  # a red card on each case and its step

    Alert.rows.all().delete()
    JudgedDay.objects.all().delete()
    settings.SUPERVISION_SWEEP_THREADS = 1
    threads.clear()
    one_after_the_other = sweep(full=True, notify=False)
    assert set(threads.values()) == {threading.current_thread().name}
    assert open_alerts() == alerts
    assert {k: (r.raised, r.escalated, r.resolved) for k, r in side_by_side.kinds.items()} == \
        {k: (r.raised, r.escalated, r.resolved) for k, r in one_after_the_other.kinds.items()}
    assert list(side_by_side.kinds) == list(one_after_the_other.kinds)  # (reported in the registry's order)


def test_a_kind_failing_on_its_thread_is_skipped_and_the_others_are_judged(demo, time_machine, monkeypatch,
                                                                         settings):
    from supervision import services

    late_cases(demo, time_machine)
    settings.SUPERVISION_SWEEP_THREADS = 2
    judge_kind = services.judge_kind

    def fails_on_the_step_clock(kind, **kwargs):
        if kind.key == "step_clock":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")  # a rule failing in the database
        return judge_kind(kind, **kwargs)

    monkeypatch.setattr(services, "judge_kind", fails_on_the_step_clock)
    result = services.sweep(full=True, notify=False)
    assert [s.kind for s in result.skipped] == ["step_clock"]
    assert "判定失败" in str(result.skipped[0])
    alerts = open_alerts()
    assert {a[0] for a in alerts} == {"case_clock"} and len(alerts) == 6  # the case clocks all raised


def test_the_sweeps_threads_give_their_connections_back(demo, time_machine, settings):
    from supervision.services import sweep

    late_cases(demo, time_machine, count=2)
    settings.SUPERVISION_SWEEP_THREADS = 2

    def sessions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    before = sessions()
    for _ in range(3):
        sweep(full=True, notify=False)
    assert sessions() == before
