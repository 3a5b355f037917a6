"""Writes held back to travel with the next statement (rows.writes_together, PostgreSQL): every
query still reads what was written before it, nothing held is lost, and a forward step writes
in one statement."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from runtime import rows, services
from runtime.caselog import verify_case_log
from runtime.models import Case, Task, TaskState

from .conftest import act, open_task, submit

pytestmark = pytest.mark.django_db


def test_a_held_update_is_read_by_the_next_query(demo, item, frozen):
    task = open_task(submit(demo, item))
    with transaction.atomic(), rows.writes_together():
        task.opinion = "意见甲"
        rows.update(task, ["opinion"])
        assert Task.objects.get(pk=task.pk).opinion == "意见甲"
        task.opinion = "意见乙"  # the same row again: the first UPDATE is sent before the second is held
        rows.update(task, ["opinion"])
    assert Task.objects.get(pk=task.pk).opinion == "意见乙"  # sent at the end of the block


def test_a_fixed_statement_reads_the_held_write_where_nothing_watches(demo, item, frozen):
    """rows' own statements skip Django's cursor layers, and with them writes_together's execute
    wrapper, when nothing else watches: a fixed statement that carries no held write (a sequence's
    number, a compiled read of the held row's table) still sends it first."""
    task = open_task(submit(demo, item))
    lock = rows.Prepared(lambda pk: Task.objects.filter(pk=pk).order_by())
    with transaction.atomic(), rows.writes_together():
        task.opinion = "意见甲"
        rows.update(task, ["opinion"])
        with rows.cursor(connection) as cursor:
            cursor.execute(f"SELECT opinion FROM {Task._meta.db_table} WHERE id = %s", [task.pk])
            assert cursor.fetchone()[0] == "意见甲"
        task.opinion = "意见乙"
        rows.update(task, ["opinion"])
        assert lock.get(task.pk).opinion == "意见乙"


def test_an_insert_with_a_reserved_key_is_held_and_written(demo, item, frozen):
    case = submit(demo, item)
    first = open_task(case)
    with transaction.atomic():
        reserved = rows.Prepared(lambda pk: Task.objects.annotate(next_id=rows.NextId(Task)).filter(pk=pk)
                                 .order_by()).get(first.pk).next_id
        with rows.writes_together(reserved={Task: reserved}):
            task = Task(case=case, step_key="handle", step_name="承办", step_type="handle", role="handler",
                        department=first.department, opened_at=first.opened_at, opened_on=first.opened_on,
                        due_on=first.due_on)
            rows.insert([task])
            if connection.vendor == "postgresql":
                assert task.pk == reserved
            assert Task.objects.filter(pk=task.pk, step_key="handle").exists()


def _writes(run) -> list[str]:
    sent = []
    with connection.execute_wrapper(lambda execute, sql, *args: sent.append(sql) or execute(sql, *args)):
        run()
    return [sql for sql in sent if sql.split(None, 1)[0].upper() in ("INSERT", "UPDATE", "WITH")]


def test_a_forward_step_writes_in_one_statement_on_postgresql(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    task = open_task(case, "handle")
    writes = _writes(lambda: services.task_complete(actor=demo.handler, task=task, action="approve", opinion="同意"))
    # the task completed, the next task, the log entries and the case's log head: one statement on
    # PostgreSQL, where the lock reserved the next task's key; one each elsewhere
    assert len(writes) == (1 if connection.vendor == "postgresql" else 4), writes
    case.refresh_from_db()
    assert verify_case_log(case).ok
    task.refresh_from_db()
    assert (task.state, task.opinion) == ("done", "同意")
    assert open_task(case, "review").pk in {t.pk for t in Task.objects.filter(case=case)}


def test_a_read_of_other_tables_carries_the_held_writes_a_read_of_theirs_sees_them(demo, item, frozen):
    from runtime.actions import _CURRENT_MATERIALS
    from runtime.decisions import _DECIDED

    case = submit(demo, item)
    task = open_task(case)
    with transaction.atomic(), rows.writes_together():
        task.opinion = "意见甲"
        rows.update(task, ["opinion"])
        sent = []
        with connection.execute_wrapper(lambda execute, sql, *args: sent.append(sql) or execute(sql, *args)):
            assert [m.key for m in _CURRENT_MATERIALS.all(case.pk)] == ["application"]
        # the materials' read names no table the UPDATE writes: on PostgreSQL it travels with it
        assert len(sent) == 1 and ("UPDATE" in sent[0]) == (connection.vendor == "postgresql"), sent
        assert Task.objects.get(pk=task.pk).opinion == "意见甲"
        task.state, task.action, task.completed_at = "done", "approve", case.submitted_at
        rows.update(task, ["state", "action", "completed_at"])
        # a read of the tasks sends the UPDATE first, and finds the task it made done
        assert [t.pk for t in _DECIDED.all(case.pk)] == [task.pk]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_held_write_that_fails_rolls_the_whole_step_back(demo, item, frozen, monkeypatch):
    """The completed task's UPDATE is held and travels with the acceptance's materials read; if the
    database refuses it there, the action fails as a whole and the case stays as it was."""
    from django.db import DataError

    case = submit(demo, item)
    task, log_length = open_task(case), case.log_length
    update = rows.update

    def too_long(obj, names, **kwargs):
        if isinstance(obj, Task) and "action" in names:
            obj.action = "x" * 100  # longer than the column: refused by PostgreSQL
        update(obj, names, **kwargs)

    monkeypatch.setattr(rows, "update", too_long)
    with pytest.raises(DataError):
        services.task_complete(actor=demo.clerk, task=task, action="approve", opinion="予以受理")
    monkeypatch.undo()
    case.refresh_from_db()
    assert (case.state, case.accepted_on, case.log_length) == ("received", None, log_length)
    assert Task.objects.get(pk=task.pk).state == "open"
    assert Task.objects.filter(case=case).count() == 1
    assert verify_case_log(case).ok
    services.task_complete(actor=demo.clerk, task=task, action="approve", opinion="予以受理")  # and works after


def test_a_submission_writes_its_case_and_first_task_with_later_statements(demo, item, frozen):
    submit(demo, item)  # warm the caches
    writes = _writes(lambda: submit(demo, item))
    # the number draws the case's and the first task's keys: the case travels with the materials,
    # the task with the documents, the log and the case's log head (PostgreSQL)
    assert len(writes) == (2 + 1 if connection.vendor == "postgresql" else 7), writes
    case = Case.objects.latest("pk")
    assert verify_case_log(case).ok
    assert case.materials.count() == 1 and open_task(case).step_key == "accept"


def test_an_update_expecting_what_the_row_no_longer_holds_fails_whole(demo, item):
    """``rows.update(..., expect=...)``: compare and set, in the statement itself."""
    task = open_task(submit(demo, item))
    task.state, task.opinion = TaskState.DONE, "意见甲"
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(task, ["state", "opinion"], expect={"state": TaskState.CANCELLED})  # it is open
    assert (Task.objects.get(pk=task.pk).state, Task.objects.get(pk=task.pk).opinion) == (TaskState.OPEN, "")
    rows.update(task, ["state", "opinion"], expect={"state": TaskState.OPEN})
    assert (Task.objects.get(pk=task.pk).state, Task.objects.get(pk=task.pk).opinion) == (TaskState.DONE, "意见甲")
