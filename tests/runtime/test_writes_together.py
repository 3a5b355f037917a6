"""Writes held back to travel with the next statement (rows.writes_together, PostgreSQL): every
query still reads what was written before it, nothing held is lost, and a forward step writes
in one statement."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from runtime import rows, services
from runtime.caselog import verify_case_log
from runtime.models import Task

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
