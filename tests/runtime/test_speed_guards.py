"""Query-count baselines of the hot path (bench/bench_runtime.py measures the same lifecycle) and
the guard rails of its shortcuts: buffered log entries are never lost, department lookups see
changes, only changed columns are written, compiled statements behave like the ORM's."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from runtime import caselog, engine, rows, services
from runtime.caselog import verify_case_log
from runtime.models import Case, Decision, Document, LogEntry, Task

from .conftest import act, open_task, submit

pytestmark = pytest.mark.django_db


def at_most(sqlite: int, postgresql: int) -> int:
    """PostgreSQL writes documents, log entries and the case in one statement (rows.insert_and_update),
    with the completed task's UPDATE and the next task's INSERT (rows.writes_together)."""
    return postgresql if connection.vendor == "postgresql" else sqlite


def test_a_forward_step_costs_at_most_nine_queries(demo, item, frozen, django_assert_max_num_queries):
    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    task = open_task(case, "handle")
    handler = demo.handler  # as a page request has it: the user loaded, roles not yet
    # the actor's roles and the unit tree (once per request), lock the case and the task, close
    # the task (with whether the actor held the step's role, for supervision), open the next, one
    # INSERT for the log, the case's changed columns (on PostgreSQL these four are one statement:
    # the lock reserved the next task's key); savepoint and release
    with django_assert_max_num_queries(at_most(sqlite=9, postgresql=6)):
        services.task_complete(actor=handler, task=task, action="approve", opinion="同意")


def test_acceptance_costs_at_most_thirteen_queries(demo, item, frozen, django_assert_max_num_queries):
    case = submit(demo, item)
    task = open_task(case)
    clerk = demo.clerk
    # roles and unit tree, lock case and task, close it, the materials (originals to check), the
    # next task, the acceptance notice, the log, the case (on PostgreSQL the next task travels with
    # the last statement, the closing with the materials' read); savepoint and release
    with django_assert_max_num_queries(at_most(sqlite=13, postgresql=9)):
        services.task_complete(actor=clerk, task=task, action="approve", opinion="予以受理")


def test_submission_costs_at_most_thirteen_queries(demo, item, frozen, django_assert_max_num_queries):
    submit(demo, item)  # warm the definition and department caches
    # the applicant's account and record, the item (catalogue conditions in one statement), the
    # number, the case, its materials, the first task, the receipt, the log, the case's log head,
    # the draft; savepoint and release. Not the version's document: parsed once per process. On
    # PostgreSQL the number's statement draws the case's and the first task's keys, and those
    # INSERTs travel with the materials' and the last statement.
    with django_assert_max_num_queries(at_most(sqlite=13, postgresql=9)):
        submit(demo, item)


def test_log_entries_of_a_transaction_are_written_together_and_chain(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    assert LogEntry.objects.filter(case=case).count() == case.log_length
    assert verify_case_log(case).ok


def test_a_service_that_forgets_to_write_its_log_fails_loudly(demo, item, frozen):
    case = engine.lock_case(submit(demo, item))
    caselog.append(case, kind="note", summary="test")
    with pytest.raises(RuntimeError):
        engine.emit(case, "noted")
    engine.save_case(case)
    engine.emit(case, "noted")
    assert verify_case_log(Case.objects.get(pk=case.pk)).ok


def test_only_changed_columns_are_written(demo, item, frozen):
    case = engine.lock_case(submit(demo, item))
    Case.objects.filter(pk=case.pk).update(unit_name="别处改的名称")  # a column this service did not touch
    case.decision = ""
    case.form_data["note"] = "就地修改"  # in place: still seen as a change
    engine.save_case(case)
    case.refresh_from_db()
    assert case.unit_name == "别处改的名称" and case.form_data["note"] == "就地修改"


def test_a_renamed_department_is_seen_at_once(demo, item, frozen):
    from accounts.services import department_update

    submit(demo, item)  # the intake unit is now cached
    department_update(actor=None, department=demo.department("JB-SPJ"), name="江滨区行政审批服务局（新）")
    case = submit(demo, item)
    assert "江滨区行政审批服务局（新）" in case.log.get(kind="task_opened").summary


def test_compiled_reads_see_current_rows_and_refuse_missing_ones(demo, item, frozen):
    case = submit(demo, item)
    task = Task.objects.get(case=case)
    Task.objects.filter(pk=task.pk).update(opinion="别处写入")
    with transaction.atomic():
        locked, read = engine.lock_task(task.pk)
    assert read.opinion == "别处写入"  # not a cached row, only cached SQL
    assert (locked.pk, locked.applicant.name, locked.department.code) == (
        case.pk, case.applicant.name, case.department.code)
    with pytest.raises(Task.DoesNotExist), transaction.atomic():
        engine.lock_task(task.pk + 1000)
    locked = engine.lock_case(case.pk)
    assert (locked.applicant.name, locked.department.code) == (case.applicant.name, case.department.code)


def test_plain_inserts_and_updates_write_what_save_would(demo, item, frozen):
    case = submit(demo, item)
    document = Document(case=case, template="receipt", title="接件凭证", number="X-1", context={"a": [1, "二"]},
                        issued_at=frozen_now())
    rows.insert([document])
    assert Document.objects.get(pk=document.pk).context == {"a": [1, "二"]}
    document.title = "改过的标题"
    rows.update(document, ["title"])
    assert Document.objects.get(pk=document.pk).title == "改过的标题"
    before = Case.objects.get(pk=case.pk).updated_at
    frozen.shift(60)
    rows.update(case, ["updated_at"])  # auto_now columns take the present, as in save()
    assert Case.objects.get(pk=case.pk).updated_at > before


def frozen_now():
    from django.utils import timezone

    return timezone.now()


def test_documents_entries_and_case_are_written_together_or_not_at_all(demo, item, frozen):
    from django.db import IntegrityError

    case = submit(demo, item)
    documents, length = Document.objects.filter(case=case).count(), case.log_length
    with pytest.raises(IntegrityError), transaction.atomic():
        locked = engine.lock_case(case.pk)
        engine.issue_document(locked, "acceptance_notice", accepted_on="2026年11月27日", deemed_note="")
        entry = caselog.append(locked, kind="note", summary="重复的序号")
        entry.seq = 1  # the case's first entry has it: the log's unique (case, seq) refuses it
        locked.decision = Decision.APPROVED
        engine.save_case(locked)
    case.refresh_from_db()
    assert (Document.objects.filter(case=case).count(), case.log_length, case.decision) == (documents, length, "")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="预备语句只在 PostgreSQL 上使用")
def test_hot_path_statements_are_prepared_on_postgresql(demo, item, frozen):
    act(demo.clerk, submit(demo, item), opinion="予以受理")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('UPDATE "runtime_task" SET' in s for s in prepared), prepared  # held: a WITH part
    assert any(s.startswith("WITH ") and 'INSERT INTO "runtime_logentry"' in s for s in prepared), prepared
    assert any("FOR UPDATE OF" in s for s in prepared), prepared


def test_plain_values_become_the_parameters_the_fields_would_make(demo, item, frozen):
    """rows builds parameters from plain values directly; every value type the hot path holds
    (choices' members, aware date-times, dates, None, JSON, foreign keys) gives what the fields'
    own pre_save + get_db_prep_save give."""
    import datetime as dt

    from runtime.models import TaskState

    case = submit(demo, item)
    task = Task(case=case, step_key="handle", step_name="审查", step_type="handle", role="handler",
                department=case.department, assignee=None, branch="", state=TaskState.OPEN,
                opened_at=frozen_now(), opened_on=dt.date(2026, 11, 30), limit_days=3, due_on=None,
                completed_at=None, actor_held_role=None, decision={"金额": 1500})
    for model_obj in (task, case):
        fields = [f for f in type(model_obj)._meta.concrete_fields if not f.primary_key
                  and not getattr(f, "auto_now", False)]
        expected = [f.get_db_prep_save(f.pre_save(model_obj, True), connection=connection) for f in fields]
        assert plain(rows._params([model_obj], rows._plan(tuple(fields)), connection, True)) == plain(expected)


def plain(params: list) -> list:
    return [getattr(p, "obj", p) for p in params]  # psycopg's Jsonb wrapper compares by identity


def test_instances_made_directly_are_those_the_constructor_makes(demo, item, frozen):
    """rows.new skips Model.__init__'s descriptors and signals: same field values, defaults and
    related objects as ``Task(...)``; an unknown field is refused as the constructor refuses it."""
    case = submit(demo, item)
    given = {"case": case, "step_key": "handle", "step_name": "审查", "step_type": "handle", "role": "handler",
             "department": case.department, "assignee": None, "opened_at": frozen_now(),
             "opened_on": frozen_now().date()}
    made, expected = rows.new(Task, **given), Task(**given)
    assert {f.attname: getattr(made, f.attname) for f in Task._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Task._meta.concrete_fields}
    assert made.case is case and made.department is case.department and made._state.adding
    with pytest.raises(TypeError):
        rows.new(Task, no_such_field=1)


def test_a_fixed_statement_fails_as_an_orm_statement_does(demo, item):
    """rows' statements skip Django's cursor layers where nothing watches them, yet a
    failing one raises Django's error, and the transaction it broke refuses every further
    statement until it is rolled back, as with the ORM's own."""
    from django.db import IntegrityError
    from django.db.transaction import TransactionManagementError

    case = submit(demo, item)
    first = LogEntry.objects.filter(case=case).order_by("seq").first()
    same_seq = rows.new(LogEntry, **{f.attname: getattr(first, f.attname) for f in LogEntry._meta.concrete_fields
                                     if not f.primary_key})
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            rows.insert([same_seq], returning=False)  # (case, seq) is unique
        with pytest.raises(TransactionManagementError):
            engine.lock_case(case)
    assert LogEntry.objects.filter(case=case).count() == case.log_length
