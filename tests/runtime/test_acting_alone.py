"""A step done without a transaction on PostgreSQL (``services.task_complete`` with
``rows.writes_together(alone=True)``): read unlocked, written in one statement, and done again
locked, with the usual answer, when another change came between the read and the write."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from core.errors import Conflict
from runtime import rows, services
from runtime.caselog import verify_case_log
from runtime.models import Case, LogEntry, Task, TaskState

from .conftest import act, open_task, submit

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL（无事务单语句写入）"),
]


@pytest.fixture(autouse=True)
def _no_remembered_shapes():
    services._NOT_ALONE.clear()
    yield
    services._NOT_ALONE.clear()


@pytest.fixture
def attempts(monkeypatch):
    """Whether each attempt of ``task_complete`` was made alone (True) or locked (False)."""
    seen = []
    real = services._task_complete

    def spy(**kwargs):
        seen.append(kwargs["alone"])
        return real(**kwargs)

    monkeypatch.setattr(services, "_task_complete", spy)
    return seen


def in_another_connection(work):
    """Run ``work`` on a thread of its own, so on a connection of its own, committed when it returns."""
    outcome = []

    def run():
        try:
            outcome.append(work())
        except Exception as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return outcome[0]


def meanwhile(monkeypatch, work):
    """Run ``work`` on another connection just before the acting task's completion is written:
    after the action read the task and case, before its statement goes out."""
    update, ran, started = rows.update, [], []

    def update_after_work(obj, names, **kwargs):
        if isinstance(obj, Task) and "completed_at" in names and not started:
            started.append(True)  # once: ``work`` may complete a task itself
            ran.append(in_another_connection(work))
        update(obj, names, **kwargs)

    monkeypatch.setattr(rows, "update", update_after_work)
    return ran


def accepted(demo, item) -> Case:
    case = submit(demo, item)
    act(demo.clerk, case, opinion="予以受理")
    return case


def test_a_forward_step_is_written_alone_as_the_locked_path_writes_it(demo, item, attempts):
    alone_case, locked_case = accepted(demo, item), accepted(demo, item)
    attempts.clear()
    act(demo.handler, alone_case, opinion="材料齐全，拟同意")
    assert attempts == [True]
    with transaction.atomic():  # inside a transaction: locked, as before
        act(demo.handler, locked_case, opinion="材料齐全，拟同意")
    assert attempts == [True, False]

    def written(case):
        case.refresh_from_db()
        tasks = [(t.step_key, t.state, t.action, t.opinion, t.completed_by_id) for t in case.tasks.order_by("id")]
        entries = [(e.seq, e.kind, e.summary.replace(case.number, "…"), e.opinion) for e in case.log.order_by("seq")]
        return case.state, case.log_length, tasks, entries

    assert written(alone_case) == written(locked_case)
    assert open_task(alone_case).step_key == "review"
    assert verify_case_log(alone_case).ok


def test_a_change_without_a_log_entry_between_read_and_write_refuses_the_statement_whole(demo, item, attempts,
                                                                                        monkeypatch):
    """The completion is written only if the task is still as it was read: here it was cancelled
    meanwhile by a writer that logs nothing, so nothing of the step is written and the step, done
    again locked, is told the task was cancelled."""
    case = accepted(demo, item)
    task, length = open_task(case, "handle"), Case.objects.get(pk=case.pk).log_length
    attempts.clear()
    meanwhile(monkeypatch, lambda: Task.objects.filter(pk=task.pk).update(state=TaskState.CANCELLED))
    with pytest.raises(Conflict) as refused:
        services.task_complete(actor=demo.handler, task=task, action="approve", opinion="拟同意")
    assert "已撤销" in refused.value.message
    assert attempts == [True, False]
    case.refresh_from_db()
    assert Task.objects.get(pk=task.pk).state == TaskState.CANCELLED
    assert case.log_length == length and not case.tasks.filter(step_key="review").exists()
    assert verify_case_log(case).ok


def test_the_same_step_done_meanwhile_by_another_tells_the_second_who_did_it(demo, item, attempts, monkeypatch):
    from accounts.services import staff_user_create

    section = demo.department("JB-SCJG-SPXK")
    other = staff_user_create(actor=None, username="handler2", password="Demo#2026", full_name="赵承办",
                              department=section, roles=[("handler", section)])
    case = accepted(demo, item)
    task = open_task(case, "handle")
    attempts.clear()
    done = meanwhile(monkeypatch, lambda: services.task_complete(actor=other, task=task, action="approve",
                                                                 opinion="同意"))
    with pytest.raises(Conflict) as refused:
        services.task_complete(actor=demo.handler, task=task, action="approve", opinion="拟同意")
    assert isinstance(done[0], Case), done
    assert "已由赵承办办理完毕" in refused.value.message
    # the other's step (alone), then this one's: alone, refused by the database, again locked
    assert attempts == [True, True, False]
    assert LogEntry.objects.filter(case=case, kind="task_completed", step_key="handle").count() == 1
    assert Task.objects.filter(case=case, step_key="review").count() == 1
    assert Task.objects.get(pk=task.pk).completed_by == other
    assert verify_case_log(Case.objects.get(pk=case.pk)).ok


def test_an_action_that_writes_more_than_once_is_done_locked_and_remembered(demo, item, attempts):
    """Completing an approved case draws its certificate's number from a sequence row, a write
    before the last statement: done again in a transaction, and from then on in one at once.
    Acceptance reads the materials to check by themselves and is done alone."""
    first, second = submit(demo, item), submit(demo, item)
    for case in (first, second):
        act(demo.clerk, case, opinion="予以受理")
        act(demo.handler, case, opinion="拟同意")
        act(demo.chief, case, opinion="同意")
        act(demo.leader, case, opinion="批准")
    attempts.clear()
    act(demo.clerk, first, action="complete", opinion="办结")
    assert attempts == [True, False]
    act(demo.clerk, second, action="complete", opinion="办结")
    assert attempts == [True, False, False]
    for case in (first, second):
        case.refresh_from_db()
        assert case.state == "completed" and case.certificate.number
        assert open_task(case).step_key == "deliver"
        assert verify_case_log(case).ok


def test_acceptance_is_done_alone(demo, item, attempts):
    case = submit(demo, item)
    attempts.clear()
    act(demo.clerk, case, opinion="予以受理")
    assert attempts == [True]
    case.refresh_from_db()
    assert case.state == "in_progress" and case.accepted_on is not None
    assert case.documents.filter(template="acceptance_notice").count() == 1
    assert open_task(case).step_key == "handle"
    assert verify_case_log(case).ok
