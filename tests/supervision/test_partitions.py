"""The sweep as disjoint partitions of cases (supervision.partitions): together they raise exactly
the alerts the whole sweep raises; on PostgreSQL, two partitions at once and a partition retried
after its worker died mid-sweep neither lose nor repeat an alert."""

from __future__ import annotations

import pytest
from django.db import connection

from supervision.models import Alert

from ..runtime import factories
from ..runtime.test_concurrency import run_threads
from .conftest import act, at, submit

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL（并发写入）")


def late_cases(demo, time_machine, count=6):
    """``count`` accepted cases, all past their deadlines on 2026-10-13: each a red case card and a
    red card on its handling step."""
    item = factories.publish(factories.definition(promised=5, statutory=8))
    time_machine.move_to(at("2026-09-21", 9), tick=False)
    cases = [submit(demo, item, data=factories.good_data(company=f"公司{i}")) for i in range(count)]
    for case in cases:
        act(demo.clerk, case, opinion="予以受理")
    time_machine.move_to(at("2026-10-13", 9), tick=False)
    return cases


def open_alerts() -> list[tuple]:
    return sorted(Alert.objects.filter(resolved_at__isnull=True).values_list("kind", "subject_type", "subject_id",
                                                                             "level", "case_id"))


@pytest.mark.django_db
def test_partitioned_sweep_raises_what_the_whole_sweep_raises(demo, time_machine, sweep):
    from runtime.models import Case
    from supervision.partitions import CaseRange
    from supervision.tasks import partitioned_sweep

    late_cases(demo, time_machine)
    ranges = partitioned_sweep.apply(kwargs={"parts": 3, "full": True}).get()  # eager: one after another
    assert len(ranges) == 3
    # every case in exactly one partition, none empty; the rows of no case in the first
    taken = [set(Case.objects.filter(CaseRange(*r).q("pk")).values_list("pk", flat=True)) for r in ranges]
    assert all(taken) and sum(map(len, taken)) == len(set().union(*taken)) == Case.objects.count()
    assert CaseRange(*ranges[0]).takes_caseless and not CaseRange(*ranges[1]).takes_caseless
    partitioned = open_alerts()
    assert len(partitioned) == 12 and {a[3] for a in partitioned} == {3}
    Alert.objects.all().delete()
    sweep(full=True, notify=False)
    assert open_alerts() == partitioned


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@on_postgresql
def test_two_partitions_at_once_raise_each_alert_once(demo, time_machine):
    from supervision.partitions import plan
    from supervision.services import sweep_partition, sweep_prepare

    late_cases(demo, time_machine)
    sweep_prepare(full=True)
    parts = plan(2)
    results = run_threads([lambda part=part: sweep_partition(part=part, changed_since=None) for part in parts])
    assert not [r for r in results if isinstance(r, Exception)], results
    alerts = open_alerts()
    assert len(alerts) == 12 and len({a[:3] for a in alerts}) == 12 and {a[3] for a in alerts} == {3}
    assert all(r.raised > 0 for r in results)  # both partitions had cases to judge
    assert sum(r.raised for r in results) == 12
    # the dashboard's figures are those of the whole, whichever partition ended last
    from supervision.dashboard_snapshot import DashboardSnapshot

    counted = DashboardSnapshot.objects.get().figures["by_department"]
    assert sum(n for _department, counts in counted for n in counts.values()) == 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@on_postgresql
def test_only_the_partition_ending_last_counts_the_dashboard():
    import threading

    from supervision.partitions import run_partition

    started, release = threading.Event(), threading.Event()

    def other_partition():
        try:
            run_partition(lambda: (started.set(), release.wait(30)))
        finally:
            connection.close()

    thread = threading.Thread(target=other_partition)
    thread.start()
    assert started.wait(30)
    assert run_partition(lambda: "done") == ("done", False)  # the other one still runs: it counts them
    release.set()
    thread.join(30)
    assert run_partition(lambda: "done") == ("done", True)  # alone: this one counts them


class WorkerDied(BaseException):
    """The worker's process ends mid-statement: nothing after it runs, its transaction is lost."""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@on_postgresql
def test_a_partition_retried_after_its_worker_died_loses_and_repeats_nothing(demo, time_machine, monkeypatch):
    from supervision import services
    from supervision.partitions import plan
    from supervision.services import sweep_partition, sweep_prepare
    from supervision.tasks import sweep_partition as task

    late_cases(demo, time_machine)
    sweep_prepare(full=True)
    first, second = plan(2)
    judge_kind = services.judge_kind

    def dies_on_the_step_clock(kind, *, part, **kwargs):
        done = judge_kind(kind, part=part, **kwargs)  # the kind's alerts written, not committed
        if part == first and kind.key == "step_clock":  # (its levels derived: decision 007)
            raise WorkerDied
        return done

    monkeypatch.setattr(services, "judge_kind", dies_on_the_step_clock)

    def first_worker():
        try:
            sweep_partition(part=first, changed_since=None)
        except WorkerDied:
            return "died"

    results = run_threads([first_worker, lambda: sweep_partition(part=second, changed_since=None)])
    assert results[0] == "died" and results[1].raised > 0
    before = open_alerts()
    assert 0 < len(before) < 12  # the dead worker's case clocks committed; its step clocks were lost
    monkeypatch.setattr(services, "judge_kind", judge_kind)
    # the broker hands the unacknowledged task to another worker: the partition is judged again
    retried = task.apply(args=[*first.as_args(), None]).get()
    alerts = open_alerts()
    assert len(alerts) == 12 and len({a[:3] for a in alerts}) == 12 and {a[3] for a in alerts} == {3}
    assert retried["raised"] == 12 - len(before)
    assert set(before) <= set(alerts)
