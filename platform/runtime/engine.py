"""The engine's internals shared by the services and the action handlers: locking, opening
steps (what each type does on opening is its behaviour's, ``runtime.steps``), transitions,
pauses, documents, events.

Nothing here opens a transaction or checks a person's right: the services in
:mod:`runtime.services` do both before calling in.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, router, transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import Department, Role
from core.errors import Conflict
from rules import RuleEvaluationError, evaluate_rule

from . import caselog, clock, pause_dates, rows
from .definitions import Definition, definition_for
from .documents import cn_date, document_templates
from .models import (
    ACTIVE_TASK_STATES,
    CORRECTION_PROCEDURE,
    Case,
    CaseSequence,
    CaseState,
    Document,
    Pause,
    Task,
    TaskState,
)
from .rule_data import data_for, reads_case, rule_data
from .steps import behaviour_of

# Domain event sent after commit for every change of a case: ``case_changed.send(sender=Case,
# case_id=…, kind=…, state=…, data=…)`` (``state``: the case's state after the change, so a receiver
# interested in some states only needs no query). Supervision and notifications listen; the runtime imports neither.
case_changed = Signal()

# Parsed definitions of published versions, which never change (a new version is a new row):
# read and parsed once per process, keyed by (version pk, unit code as asked).
_DEFINITIONS: dict[tuple[int, str | None], Definition] = {}


def _cached_definition(version_id: int, unit_code: str | None, version) -> Definition:
    key = (version_id, unit_code)
    found = _DEFINITIONS.get(key)
    if found is None:
        found = definition_for(version(), unit_code)
        if len(_DEFINITIONS) > 512:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = found
    return found


def forget_definitions(**_signal) -> None:
    """Drop the cached definitions. A published version never changes, so production needs this
    only when a version is saved (signal); tests do, because a rolled-back version's id is reused
    by the next one (SQLite)."""
    _DEFINITIONS.clear()


def definition_of(case: Case) -> Definition:
    """The definition a case is pinned to (its version is read only the first time)."""
    return _cached_definition(case.version_id, case.unit_code, lambda: case.version)


def published_definition(version, unit_code: str | None = None) -> Definition:
    """The definition of a published version's unit; the version's document is read (a deferred
    column) only the first time."""
    return _cached_definition(version.pk, unit_code, lambda: version)


# Compiled once per database (rows.Prepared): every action starts with one of these.
# Only the case row is locked (of=self): FOR UPDATE would otherwise lock the joined applicant
# and department rows too, which every case of that applicant or department shares. Not the
# version: its frozen document is large, and definition_of reads it only once per version and
# process.
_LOCK_CASE = rows.Prepared(lambda pk: Case.objects.select_for_update(of=("self",))
                           .select_related("applicant", "department").filter(pk=pk).order_by())
# An action on a task locks its case and the task in one statement. The order of OF matters:
# PostgreSQL takes the locks in that order, the case first as every other writer of tasks does
# (the other order deadlocks with them). A locked row is read as last committed, so a task a
# concurrent action just completed shows as completed.
# It also reserves the key of the task the action will open (``reserved_task_id``, PostgreSQL), so
# that the task's INSERT travels with the action's last statement (rows.writes_together).
_LOCK_TASK = rows.Prepared(lambda pk: Task.objects.select_for_update(of=("case", "self"))
                           .select_related("case__applicant", "case__department")
                           .annotate(reserved_task_id=rows.NextId(Task)).filter(pk=pk).order_by())
# The same read without the locks, for an action whose writes go out as one statement without a
# transaction (``rows.writes_together(alone=True)``): that statement's log entries and its
# compare-and-set of the task's state refuse it when another change came between.
_READ_TASK = rows.Prepared(lambda pk: Task.objects.select_related("case__applicant", "case__department")
                           .annotate(reserved_task_id=rows.NextId(Task)).filter(pk=pk).order_by())


def lock_case(case: Case | int, *, expected_version: int | None = None, now: dt.datetime | None = None) -> Case:
    """The case row, locked for this transaction (``expected_version``: the log length the
    person saw; a different one means the page was stale). ``now``: the moment the service acts
    as of, taken by every log entry and document of this action (default: the present)."""
    pk = case.pk if isinstance(case, Case) else case
    return _locked(_LOCK_CASE.get(pk, alias=router.db_for_write(Case)), expected_version, now)


def lock_task(pk: int, *, expected_version: int | None = None, now: dt.datetime | None = None,
              lock: bool = True) -> tuple[Case, Task]:
    """The task and its case, both locked for this transaction, as :func:`lock_case` (``lock``
    False: read as last committed, unlocked, for an action done alone)."""
    task = (_LOCK_TASK if lock else _READ_TASK).get(pk, alias=router.db_for_write(Task))
    return _locked(task.case, expected_version, now), task


def _locked(case: Case, expected_version: int | None, now: dt.datetime | None) -> Case:
    track(case)
    caselog.act_as_of(case, now or timezone.now())
    if expected_version is not None and case.log_length != expected_version:
        raise Conflict("办件已被他人处理或已更新，您看到的页面已过期。请刷新后重试（您填写的内容已保留）。")
    return case


_LOADED = "_loaded_row"
_DOCUMENTS = "_pending_documents"
_COLUMNS = [f.attname for f in Case._meta.concrete_fields if not f.primary_key]
_READ_COLUMNS = operator.attrgetter(*_COLUMNS)
_FORM_DATA = _COLUMNS.index("form_data")


def track(case: Case) -> None:
    """Remember the row as read (or just inserted), so :func:`save_case` writes only changes."""
    case.__dict__[_LOADED] = _row_of(case)


def _row_of(case: Case) -> list:
    row = list(_READ_COLUMNS(case))
    row[_FORM_DATA] = json.dumps(row[_FORM_DATA], sort_keys=True, default=str)  # compared by content
    return row


def save_case(case: Case) -> None:
    """Write the case's new documents and log entries, then the case (its log head included): a
    case read by :func:`lock_case` writes only the columns that changed since, in the same
    statement as the documents and entries where the database allows."""
    loaded = case.__dict__.pop(_LOADED, None)
    if loaded is None:
        rows.insert(case.__dict__.pop(_DOCUMENTS, []), returning=False)
        caselog.flush(case)
        case.save()
        return
    now = _row_of(case)
    changed = [name for name, before, after in zip(_COLUMNS, loaded, now, strict=True) if before != after]
    # updated_at: wall time (supervision's sweep)
    rows.insert_and_update([case.__dict__.pop(_DOCUMENTS, []), caselog.take_pending(case)], case,
                           sorted({*changed, "updated_at"}))
    case.__dict__[_LOADED] = now


def emit(case: Case, kind: str, **data) -> None:
    if caselog.has_pending(case):  # a service forgot save_case: its log would be lost
        raise RuntimeError("办件日志尚未写入数据库")
    case_id, state = case.pk, case.state
    transaction.on_commit(lambda: case_changed.send(sender=Case, case_id=case_id, kind=kind, state=state, data=data))


def _increment(prefix: str, reserve: tuple) -> int | None:
    """``last + 1`` in one statement that also takes the row lock (UPDATE … RETURNING, which
    PostgreSQL and SQLite ≥ 3.35 both have); None when the sequence has no row yet. The same
    statement draws the keys of the rows ``reserve`` names (``rows.reservable``)."""
    table = connection.ops.quote_name(CaseSequence._meta.db_table)
    reserve = rows.reservable(reserve)
    keys = [rows.next_id_sql(model) for model in reserve]
    with rows.cursor(connection) as cursor:
        cursor.execute(f"UPDATE {table} SET last = last + 1 WHERE prefix = %s RETURNING last"
                       + "".join(f", {sql}" for sql, _params in keys), [prefix, *(p for _s, ps in keys for p in ps)])
        row = cursor.fetchone()
    if row is None:
        return None
    for model, key in zip(reserve, row[1:], strict=True):
        rows.reserve(model, key)
    return row[0]


def next_number(prefix: str, *, used: Callable[[], int] | None = None, reserve: tuple = ()) -> int:
    """Allocate the next number of a sequence, serialised by the row's lock: concurrent callers
    never get the same number. ``used`` tells, when the sequence's row is first made, the last
    number already handed out under this prefix some other way (numbers made before there was a
    sequence); the sequence continues after it. ``reserve``: models whose next row's key the
    statement draws as well, so that row's INSERT travels with a later statement
    (``rows.writes_together``; only there, on PostgreSQL)."""
    number = _increment(prefix, reserve)
    if number is None:
        try:
            with transaction.atomic():
                CaseSequence.objects.create(prefix=prefix, last=used() if used else 0)
        except IntegrityError:
            pass  # created meanwhile by a concurrent submission
        number = _increment(prefix, reserve)
    return number


def new_case_number(department_code: str, day: dt.date, *, reserve: tuple = ()) -> str:
    prefix = f"{department_code}-{day:%Y%m%d}"
    return f"{prefix}-{next_number(prefix, reserve=reserve):04d}"


def verification_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


# --- Documents ------------------------------------------------------------------------------

def base_context(case: Case) -> dict:
    return {"case_number": case.number, "verification_code": case.verification_code, "item_name": case.unit_name,
            "applicant_name": case.applicant.name, "department_name": case.department.name,
            "issued_on": cn_date(timezone.localdate(caselog.acting_at(case)))}


def issue_document(case: Case, template_key: str, **context) -> Document:
    """A document of the case, written by :func:`save_case` together with the log entry that
    records it."""
    template = document_templates.get(template_key)
    # Unique within the case without a query: the log position at which it was issued.
    number = f"{case.number}-{template.code}{case.log_length + 1:02d}"
    document = rows.new(Document, case=case, template=template_key, title=template.title, number=number,
                        context={**base_context(case), **context}, issued_at=caselog.acting_at(case))
    case.__dict__.setdefault(_DOCUMENTS, []).append(document)  # written by save_case, with the log
    caselog.append(case, kind="document_issued", summary=f"出具{template.title}（{number}）",
                   data={"document": number, "template": template_key})
    return document


# --- Steps and transitions ------------------------------------------------------------------

@dataclass
class Moves:
    """What one action did to the tasks, for the log and the caller."""

    opened: list[Task] = field(default_factory=list)
    cancelled: list[Task] = field(default_factory=list)


def next_steps(defn: Definition, step: dict, case: Case, *, every: bool = False, task: Task | None = None) -> list[str]:
    """The targets of the step's transitions whose condition holds on the rule data (form, case
    facts, decisions; ``task``: the one just completed, whose step facts the rules read): the first
    one, or all of them for a parallel branch. A condition that cannot be evaluated does not hold
    (fails closed); if then nothing applies the action is refused."""
    chosen, failed = [], []
    full = None  # the whole rule data: built once, and only for a condition that reads the case
    for transition in step["transitions"]:
        rule = transition.get("when")
        if rule is not None:
            if not reads_case(rule):
                data = case.form_data
            else:
                data = full = full or rule_data(case, defn, task=task)
            try:
                if not evaluate_rule(rule, data):
                    continue
            except RuleEvaluationError as exc:
                failed.append(f"{transition['to']}：{exc.message}")
                continue
        chosen.append(transition["to"])
        if not every:
            break
    if step["transitions"] and not chosen:
        why = "（条件无法计算：" + "；".join(failed) + "）" if failed else ""
        raise Conflict(f"步骤“{step['name']}”之后没有符合条件的流转{why}，请联系事项管理部门")
    return chosen


def _department_for(defn: Definition, step: dict, case: Case) -> Department:
    code = step.get("department") or defn.item_department_code
    rule = step.get("department_rule")
    if rule is not None:
        try:
            code = evaluate_rule(rule, data_for(rule, case, defn)) or code
        except RuleEvaluationError as exc:
            raise Conflict(f"无法确定步骤“{step['name']}”的办理部门：{exc.message}") from exc
    department = _department_by_code(code)
    if department is None:
        raise Conflict(f"步骤“{step['name']}”的办理部门“{code}”不存在，请联系事项管理部门")
    return department


# Departments by code, read once a minute at most: every step of every case looks one up, and
# the organisation changes rarely (a renamed unit shows under its new name within a minute).
DEPARTMENT_TTL_SECONDS = 60.0
_DEPARTMENTS: dict[str, tuple[float, Department]] = {}


def _department_by_code(code: str) -> Department | None:
    now = time.monotonic()
    hit = _DEPARTMENTS.get(code)
    if hit is not None and now - hit[0] < DEPARTMENT_TTL_SECONDS:
        return hit[1]
    department = Department.objects.filter(code=code).first()
    if department is not None:
        if len(_DEPARTMENTS) > 1024:
            _DEPARTMENTS.clear()
        _DEPARTMENTS[code] = (now, department)
    return department


def forget_departments(**_signal) -> None:
    _DEPARTMENTS.clear()


_ROLE_LABELS = dict(Role.choices)


@dataclass
class Opening:
    """A step being opened, as its behaviour (``runtime.steps``) receives it."""

    case: Case
    defn: Definition
    key: str
    step: dict
    branch: str
    moves: Moves
    now: dt.datetime
    assignee: object = None

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)

    def open_task(self, *, to_role_only: bool = False, state: str = TaskState.OPEN) -> Task:
        """One task for the step's role in its department, with its due date, logged; on the
        desk of ``assignee`` (whoever did it last, when a return sends it back) unless
        ``to_role_only``. ``state``: ``notice`` for a public notice's task, on no one's desk
        while the notice runs."""
        case, step = self.case, self.step
        assignee = None if to_role_only else self.assignee
        task = rows.new(Task, case=case, step_key=self.key, step_name=step["name"], step_type=step["type"],
                        state=state, role=step.get("role") or "", department=_department_for(self.defn, step, case),
                        assignee=assignee, branch=self.branch, opened_at=self.now, opened_on=self.today,
                        limit_days=step.get("limit_days", 0))
        clock.task_due(task)
        rows.insert([task])
        self.moves.opened.append(task)
        who = _ROLE_LABELS.get(task.role, task.role)
        caselog.append(case, kind="task_opened", summary=f"转入“{task.step_name}”（{task.department.name}·{who}）",
                       step_key=self.key, task=task, data={"due_on": task.due_on.isoformat(), "branch": self.branch})
        return task

    def follow(self, *, every: bool = False, branch: str | None = None) -> None:
        """Open the steps the transitions lead to (all that hold with ``every``), in ``branch``
        (default: this step's)."""
        for target in next_steps(self.defn, self.step, self.case, every=every):
            open_step(self.case, self.defn, target, branch=self.branch if branch is None else branch,
                      moves=self.moves, now=self.now)


def open_step(case: Case, defn: Definition, key: str, *, branch: str, moves: Moves, now, assignee=None) -> None:
    """Open a step: what that means is its type's behaviour (``runtime.steps``)."""
    step = defn.step(key)
    behaviour_of(step["type"]).open(Opening(case, defn, key, step, branch, moves, now, assignee))


def previous_performer(case: Case, key: str):
    """Who last completed this step of the case (a return goes back to that person's desk)."""
    previous = (Task.objects.filter(case=case, step_key=key, state=TaskState.DONE, completed_by__isnull=False)
                .select_related("completed_by").order_by("-completed_at").first())
    return previous.completed_by if previous is not None else None


def advance(case: Case, defn: Definition, task: Task, *, moves: Moves, now) -> list[str]:
    """Follow the transitions of a completed task's step; returns the targets (empty at the end)."""
    step = defn.step(task.step_key)
    targets = next_steps(defn, step, case, task=task)
    for target in targets:
        open_step(case, defn, target, branch=task.branch, moves=moves, now=now)
    return targets


def cancel_tasks(case: Case, tasks, *, reason: str, moves: Moves, now) -> None:
    for other in tasks:
        other.state = TaskState.CANCELLED
        other.completed_at = now
        rows.update(other, ["state", "completed_at"])
        moves.cancelled.append(other)
        caselog.append(case, kind="task_cancelled", summary=f"“{other.step_name}”撤销：{reason}",
                       step_key=other.step_key, task=other)


def open_tasks(case: Case) -> list[Task]:
    return list(Task.objects.filter(case=case, state__in=ACTIVE_TASK_STATES))


# --- Pauses ---------------------------------------------------------------------------------

def start_pause(case: Case, *, task: Task | None, procedure: str, expected_days: int, reason: str,
                on: dt.date) -> Pause:
    """A special procedure from ``on`` (its start date, counted as stopped): the clock stands
    still and the applicant gets the 特别程序告知书 with the dates. A start date the officer may
    not record is refused (``pause_dates``) before anything is written."""
    if case.paused_since is not None:
        raise Conflict("已有特殊程序正在进行，请先结束")
    today = timezone.localdate(caselog.acting_at(case))
    pause_dates.require({"started_on": pause_dates.start_problems(case, task=task, on=on, today=today)})
    pause = Pause(case=case, task=task, procedure=procedure, reason=reason, expected_days=expected_days,
                  started_on=on, expected_end_on=on)
    clock.pause_start(case, pause, pause_dates.last_pause_end(case))
    pause.save()
    case.state = CaseState.SUSPENDED
    if pause.is_special:
        summary = (f"启动特别程序：{procedure}，自{on}起，预计{expected_days}个工作日（至{pause.expected_end_on}），"
                   "不计入办理时限")
    else:  # a public notice's period, whose own entry says what is published
        summary = f"{procedure}期间自{on}起停止计时，不计入办理时限"
    caselog.append(case, kind="pause_started", summary=summary,
                   step_key=task.step_key if task else "", task=task,
                   data={"procedure": procedure, "expected_days": expected_days, "started_on": on.isoformat(),
                         "expected_end_on": pause.expected_end_on.isoformat()})
    if pause.is_special:  # art. 45: told in writing
        issue_document(case, "special_procedure_notice", procedure=procedure, reason=reason,
                       started_on=cn_date(on), expected_days_text=f"{expected_days}个工作日",
                       expected_end_on=cn_date(pause.expected_end_on))
    return pause


def start_correction_pause(case: Case, *, task: Task, reason: str, on: dt.date) -> Pause | None:
    """A correction asked for after acceptance, where the item stops the clock for it: paused from
    today until the applicant resubmits (no expected length: the applicant decides). ``None``
    when the clock already stands (a special procedure is running)."""
    if case.paused_since is not None:
        return None
    pause = Pause(case=case, task=task, procedure=CORRECTION_PROCEDURE, reason=reason, expected_days=0,
                  started_on=on, expected_end_on=on)
    clock.pause_start(case, pause, pause_dates.last_pause_end(case))
    pause.save()
    caselog.append(case, kind="pause_started", summary="受理后告知补正，补正期间停止计时，至申请人补正提交之日恢复",
                   step_key=task.step_key, task=task, data={"procedure": CORRECTION_PROCEDURE, "expected_days": 0,
                                                            "started_on": on.isoformat()})
    return pause


def end_pause(case: Case, *, on: dt.date, result: str, actor=None) -> Pause:
    """End the running pause on ``on`` (its last stopped day). A special procedure's end tells the
    applicant the dates and the due dates they moved to; a correction's ends with the
    applicant's resubmission, which they know of."""
    pause = Pause.objects.filter(case=case, ended_on__isnull=True).first()
    if pause is None:
        raise Conflict("没有正在进行的特殊程序")
    today = timezone.localdate(caselog.acting_at(case))
    pause_dates.require({"ended_on": pause_dates.end_problems(pause, on=on, today=today)})
    pause.result = result
    tasks = open_tasks(case)
    clock.pause_end(case, pause, on, tasks)
    pause.save()
    for task in tasks:
        rows.update(task, ["paused_days", "due_on", "due_provisional"])
    case.state = CaseState.IN_PROGRESS if case.accepted_on else CaseState.RECEIVED
    moved = f"，法定办结期限顺延至{case.statutory_due_on}" if case.statutory_due_on else ""
    if pause.procedure == CORRECTION_PROCEDURE:
        summary = f"补正期间（{pause.started_on}至{on}）停止计时，不计入时限{pause.working_days}个工作日"
    elif pause.is_special:
        summary = f"特别程序“{pause.procedure}”（{pause.started_on}至{on}）结束，不计入时限{pause.working_days}个工作日{moved}"
    else:
        summary = f"{pause.procedure}期间（{pause.started_on}至{on}）不计入时限{pause.working_days}个工作日{moved}"
    caselog.append(case, kind="pause_ended", actor=actor, summary=summary,
                   data={"procedure": pause.procedure, "working_days": pause.working_days, "result": result,
                         "started_on": pause.started_on.isoformat(), "ended_on": on.isoformat(),
                         "statutory_due_on": case.statutory_due_on.isoformat() if case.statutory_due_on else None})
    if pause.is_special:
        issue_document(case, "special_procedure_end_notice", procedure=pause.procedure,
                       started_on=cn_date(pause.started_on), ended_on=cn_date(on),
                       working_days_text=f"{pause.working_days}个工作日", result=result,
                       statutory_due_on=cn_date(case.statutory_due_on)
                       + ("（暂定）" if case.clock_provisional else ""),
                       promised_due_on=cn_date(case.promised_due_on))
    return pause
