"""Real threads on PostgreSQL: one transition per task, sequences without gaps or duplicates, and
sound hash chains after a load of 1 000 cases."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.errors import Conflict
from runtime import services
from runtime.caselog import verify_case_log
from runtime.models import Case, LogEntry, Task, TaskState

from . import factories

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL（行锁）"),
]


def run_threads(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_clerks_pressing_accept_at_once_give_one_transition(demo):
    from accounts.services import staff_user_create

    second = staff_user_create(actor=None, username="clerk2", password="Demo#2026", full_name="李受理",
                               department=demo.department("JB-SPJ-ZHSL"),
                               roles=[("window_clerk", demo.department("JB-SPJ"))])
    item = factories.publish(factories.definition())
    for _ in range(5):
        case = services.case_submit(actor=demo.zhangsan, item=item, form_data=factories.good_data(),
                                    materials=[services.MaterialInput("application", "a.pdf", factories.PDF)])
        task = Task.objects.get(case=case, state=TaskState.OPEN)
        clerks = [demo.clerk, second]
        results = run_threads([
            lambda c=c, t=task: services.task_complete(actor=c, task=t, action="approve", opinion="受理")
            for c in clerks])
        wins = [r for r in results if isinstance(r, Case)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert "已由" in losses[0].message and "办理完毕" in losses[0].message
        case.refresh_from_db()
        assert LogEntry.objects.filter(case=case, kind="accepted").count() == 1
        assert Task.objects.filter(case=case, step_key="handle").count() == 1
        assert verify_case_log(case).ok


def test_a_load_of_1000_cases_keeps_every_chain_sound(demo):
    item = factories.publish(factories.definition())
    applicant, clerk = demo.zhangsan, demo.clerk

    def load(n):
        def work():
            for _ in range(n):
                case = services.case_submit(actor=applicant, item=item, form_data=factories.good_data(),
                                            materials=[services.MaterialInput("application", paper=True)])
                services.case_accept(actor=clerk, case=case)
            return n
        return work

    results = run_threads([load(250) for _ in range(4)])
    assert results == [250] * 4, results
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 1000
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 1001))
    assert all(verify_case_log(case).ok for case in Case.objects.all())
    victim = LogEntry.objects.order_by("?").first()
    LogEntry.objects.filter(pk=victim.pk).update(summary=victim.summary + "（改）")
    broken = [case.number for case in Case.objects.all() if not verify_case_log(case).ok]
    assert broken == [victim.case.number]


def test_an_action_waits_for_a_writer_holding_the_case_and_sees_what_it_wrote(demo):
    """Every writer of tasks locks the case first; an action locks case and task in one
    statement, in that order. A writer that holds the case and then updates the task therefore
    never deadlocks with an action waiting on that case, and the action sees the task as the
    writer left it. (With the task locked first, PostgreSQL reports a deadlock here.)"""
    from django.db import transaction

    from runtime import engine

    item = factories.publish(factories.definition())
    case = services.case_submit(actor=demo.zhangsan, item=item, form_data=factories.good_data(),
                                materials=[services.MaterialInput("application", paper=True)])
    task = Task.objects.get(case=case, state=TaskState.OPEN)
    holding = threading.Event()

    def writer():
        with transaction.atomic():
            engine.lock_case(case.pk)
            holding.set()
            with connection.cursor() as cursor:
                for _ in range(200):  # until the action waits for the case's lock
                    # pg_locks, not pg_stat_activity: the latter is read once per transaction
                    cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    if cursor.fetchone()[0]:
                        break
                    threading.Event().wait(0.025)
                else:
                    return "the action never waited"
            Task.objects.filter(pk=task.pk).update(state=TaskState.CANCELLED)
        return "written"

    def action():
        holding.wait(10)
        return services.task_complete(actor=demo.clerk, task=task, action="approve", opinion="受理")

    written, acted = run_threads([writer, action])
    assert written == "written", (written, acted)
    assert isinstance(acted, Conflict) and "已撤销" in acted.message, acted
    assert Task.objects.get(pk=task.pk).state == TaskState.CANCELLED
    assert not LogEntry.objects.filter(case=case, kind="accepted").exists()


def test_signers_of_a_countersign_pressing_at_once_advance_it_once(demo):
    """Three holders of the role sign a two-signer countersign at once: the case and task locks
    serialise them, so two signatures count, the step advances once and the third is told the
    step is done."""
    from accounts.services import staff_user_create

    from .test_countersign import countersign_workflow

    section = demo.department("JB-SCJG-SPXK")
    signers = [demo.handler] + [
        staff_user_create(actor=None, username=f"handler{n}", password="Demo#2026", full_name=f"核查员{n}",
                          department=section, roles=[("handler", section)]) for n in (2, 3)]
    item = factories.publish(factories.definition(workflow=countersign_workflow()))
    case = services.case_submit(actor=demo.zhangsan, item=item, form_data=factories.good_data(),
                                materials=[services.MaterialInput("application", "a.pdf", factories.PDF)])
    services.case_accept(actor=demo.clerk, case=case)
    services.task_complete(actor=demo.handler, task=Task.objects.get(case=case, step_key="handle"),
                           action="approve", opinion="拟同意")
    task = Task.objects.get(case=case, step_key="inspect")
    results = run_threads([
        lambda s=s: services.task_complete(actor=s, task=task, action="approve", opinion="符合要求")
        for s in signers])
    assert sum(isinstance(r, Case) for r in results) == 2, results
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(losses) == 1 and "办理完毕" in losses[0].message
    assert Task.objects.filter(case=case, step_key="decide").count() == 1
    assert task.signatures.count() == 2
    case.refresh_from_db()
    assert verify_case_log(case).ok
