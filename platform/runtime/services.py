"""Every change to a case is one of these services.

Each is keyword-only and atomic: it locks the case row (``select_for_update``), checks the
actor's right (``runtime.access``) and the case's state, changes it, appends to the
hash-chained log, opens the next tasks, and sends its events after commit. ``actor=None`` is
the system itself (deemed acceptance, calendar recomputation). ``task_complete`` may instead do
a step alone, unlocked and in one statement that a concurrent change refuses (its docstring).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, router, transaction
from django.utils import timezone

from accounts.access import is_applicant
from accounts.models import Applicant, Role
from core.errors import AccessDenied, Conflict, InvalidInput
from designer.models import ApprovalItem

from . import access, caselog, certificates, clock, notices, pause_dates, rows, rule_data
from .access import require_task_actor, require_window_clerk
from .actions import RECORDS_DECISION, ActionContext, accept_case, actions, deliver_case, needs_opinion
from .definitions import Definition, public_catalogue, published_items
from .engine import (
    Moves,
    advance,
    cancel_tasks,
    definition_of,
    emit,
    end_pause,
    issue_document,
    lock_case,
    lock_task,
    new_case_number,
    open_step,
    open_tasks,
    published_definition,
    save_case,
    track,
    verification_code,
)
from .models import (
    Case,
    CaseState,
    Certificate,
    Channel,
    Draft,
    DraftMaterial,
    Extension,
    Material,
    MaterialCheck,
    Objection,
    PublicNotice,
    Submission,
    Task,
    TaskState,
)
from .steps import behaviour_of, keys_where
from .uploads import atomic_with_files, check_upload, delete_on_commit, remember_written, stored

MAX_FORM_BYTES = 256 * 1024


@dataclass(frozen=True)
class MaterialInput:
    """One material as submitted: a file (name and bytes), a paper original, or a certificate
    from the registry (by number)."""

    key: str
    name: str = ""
    content: bytes | None = None
    paper: bool = False
    certificate_number: str = ""


# --- Checking what an applicant submits ------------------------------------------------------

def _clean_form(defn: Definition, form_data, context: dict) -> tuple[dict, dict]:
    """The form data as the item's rules have it (hidden fields dropped), and its problems.
    ``context``: the case facts and decisions the rules read besides the form (runtime.rule_data)."""
    if not isinstance(form_data, dict):
        return {}, {"$": ["表单数据应为对象"]}
    if len(json.dumps(form_data, ensure_ascii=False).encode("utf-8")) > MAX_FORM_BYTES:
        return {}, {"$": ["表单数据过大"]}
    validator = defn.form_validator()
    return validator.clean(form_data, context), validator.errors(form_data, context)


def _check_materials(defn: Definition, data: dict, inputs: Iterable[MaterialInput], *, channel: str,
                     applicant: Applicant, context: dict,
                     already: set[str] = frozenset()) -> tuple[list[dict], dict]:
    prepared, problems = [], {}
    seen = set()
    for given in inputs:
        material = defn.material(given.key)
        path = f"materials.{given.key}"
        if material is None:
            problems.setdefault(path, []).append(f"本事项没有材料“{given.key}”")
            continue
        seen.add(given.key)
        row = {"key": given.key, "name": material["name"]}
        if given.certificate_number:
            cert = Certificate.objects.filter(number=given.certificate_number, holder=applicant,
                                              status=Certificate.Status.VALID).select_related("certificate_type").first()
            wanted = material["certificate_type"]
            if cert is None or not wanted or cert.certificate_type is None or cert.certificate_type.code != wanted:
                problems.setdefault(path, []).append("所选证照不属于申请人、已失效或不能作为此项材料")
                continue
            row["certificate"] = cert
        elif given.paper:
            if channel == Channel.ONLINE and material["medium"] == "electronic":
                problems.setdefault(path, []).append(f"“{material['name']}”须上传电子文件")
                continue
            row["paper"] = True
        else:
            checked, issues = check_upload(material=material, name=given.name or given.key,
                                           content=given.content or b"")
            if issues:
                problems.setdefault(path, []).extend(issues)
                continue
            row["file"] = checked
        prepared.append(row)
    for material in defn.required_materials({**data, **context}):
        if material["key"] not in seen and material["key"] not in already:
            problems.setdefault(f"materials.{material['key']}", []).append(f"请提交“{material['name']}”")
    return prepared, problems


def _store_materials(case: Case, prepared: list[dict], *, replacing: bool = True) -> list[Material]:
    stored = []
    for row in prepared:
        if replacing:
            Material.objects.filter(case=case, key=row["key"], superseded=False).update(superseded=True)
        material = Material(case=case, key=row["key"], name=row["name"], paper_original="paper" in row,
                            certificate=row.get("certificate"))
        checked = row.get("file")
        if checked is not None:
            material.original_name = checked.name
            material.size = checked.size
            material.sniffed_type = checked.sniffed_type
            material.sha256 = checked.sha256
            material.file.save(f"{case.number}-{row['key']}-{checked.sha256[:12]}.{checked.sniffed_type}",
                               ContentFile(checked.content), save=False)
            remember_written(material.file.storage, material.file.name)  # deleted again if we roll back
        stored.append(material)
    rows.insert(stored)  # one INSERT; a file's pre_save stores it as save() would
    return stored


def _materials_text(materials: Iterable[Material]) -> list[str]:
    lines = []
    for m in materials:
        if m.certificate_id:
            lines.append(f"{m.name}（引用证照 {m.certificate.number}）")
        elif m.paper_original:
            lines.append(f"{m.name}（纸质原件）")
        else:
            lines.append(f"{m.name}（电子文件，{m.size}字节，SHA-256 {m.sha256[:16]}…）")
    return lines


# Compiled once (rows.Prepared): the catalogue's conditions, the online classes as a subquery.
_ONLINE_ITEM = rows.Prepared(lambda pk: public_catalogue().filter(pk=pk).defer("current_version__document")
                             .order_by())


def _published(item: ApprovalItem, channel: str):
    # The version's frozen document is not read: published_definition parses it once per process.
    if channel == Channel.ONLINE:  # the catalogue's own query also reads the item
        found = _ONLINE_ITEM.all(item.pk, alias=router.db_for_read(ApprovalItem))
        if found:
            return found[0]
    found = (published_items().select_related("current_version", "department")
             .defer("current_version__document").filter(pk=item.pk).first())
    if found is None:
        raise Conflict("该事项未发布或已停用，不能申请")
    if channel == Channel.ONLINE:
        raise AccessDenied("该事项不能网上办理")
    return found


# --- Intake -------------------------------------------------------------------------------

# Compiled once (rows.Prepared): the applicant's drafts of a version (one per unit), which a
# submission discards.
_DRAFTS = rows.Prepared(lambda applicant, version: Draft.objects.filter(applicant_id=applicant, version_id=version)
                        .order_by())

SUBMISSION_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _submission_key(actor, token: str) -> str:
    if not SUBMISSION_TOKEN.fullmatch(token):
        raise InvalidInput("提交标识无效，请刷新页面后重新提交",
                           details={"submission_token": ["应为8至64位字母、数字、下划线或连字符"]})
    return f"{getattr(actor, 'pk', '')}:{token}"


def _submitted(key: str) -> Case | None:
    return Case.objects.filter(pk__in=Submission.objects.filter(key=key, case__isnull=False)
                               .values("case_id")).first()


def case_submit(*, actor, item: ApprovalItem, form_data, materials: Iterable[MaterialInput] = (),
                channel: str = Channel.ONLINE, applicant: Applicant | None = None, unit_code: str | None = None,
                now: dt.datetime | None = None, submission_token: str = "", certificate_number: str = "") -> Case:
    """Receive an application (online by the applicant, or at a window by a clerk the same day):
    validates the form and materials on the server, numbers the case, starts the clock, opens the
    first step and issues the receipt voucher (接件凭证). ``now``: the moment of receipt (default:
    the present); like every service's ``now``, it dates the log, the tasks, the clock and the
    documents. ``certificate_number``: the certificate a renewing, changing, cancelling or
    reissuing application acts on (``runtime.certificates.target_for`` says which it may be).

    ``submission_token`` (the form's idempotency token): the same person sending the same token
    again — a double click, a retried request, fifty at once — gets the case the first sending
    made, and no second case. The token is claimed first in the transaction, so concurrent
    sendings wait on its unique row and the losers find the winner's case."""
    application = {"actor": actor, "item": item, "form_data": form_data, "materials": materials, "channel": channel,
                   "applicant": applicant, "unit_code": unit_code, "now": now,
                   "certificate_number": certificate_number}
    if not submission_token:
        return _case_submit(**application, claim=None)
    key = _submission_key(actor, submission_token)
    earlier = _submitted(key)
    if earlier is not None:
        return earlier
    try:
        return _case_submit(**application, claim=key)
    except IntegrityError:  # a concurrent sending with the same token made the case first
        earlier = _submitted(key)
        if earlier is None:
            raise
        return earlier


@atomic_with_files
def _case_submit(*, actor, item: ApprovalItem, form_data, materials: Iterable[MaterialInput],
                 channel: str, applicant: Applicant | None, unit_code: str | None,
                 now: dt.datetime | None, claim: str | None, certificate_number: str = "") -> Case:
    claimed = Submission.objects.create(key=claim) if claim else None  # first: concurrent sendings queue here
    if channel == Channel.ONLINE:
        if not is_applicant(actor) or getattr(actor, "applicant", None) is None:
            raise AccessDenied("网上申请须以申请人账户登录")
        applicant = actor.applicant
    elif channel == Channel.WINDOW:
        require_window_clerk(actor)
        if applicant is None:
            raise InvalidInput("请选择申请人", details={"applicant": ["请选择或登记申请人"]})
    else:
        raise InvalidInput("申请渠道无效", details={"channel": ["应为网上申请或窗口受理"]})
    item = _published(item, channel)
    defn = published_definition(item.current_version, unit_code)
    now = now or timezone.now()
    today = timezone.localdate(now)
    context = rule_data.intake_context(defn=defn, channel=channel, applicant=applicant, on=today)
    data, problems = _clean_form(defn, form_data, context)
    prepared, material_problems = _check_materials(defn, data, materials, channel=channel, applicant=applicant,
                                                   context=context)
    target, target_problems = certificates.target_for(defn, applicant, certificate_number, today=today)
    problems = {**problems, **material_problems, **target_problems}
    if problems:
        raise InvalidInput("申请内容有误，请按提示修改后重新提交（已填写的内容已保留）", details=problems)

    # the case number's statement draws the keys of the case and of its first task, so that their
    # INSERTs travel with the materials' and the last statement (PostgreSQL; rows.writes_together)
    with rows.writes_together(router.db_for_write(Case), reserved={}):
        case = Case(number=new_case_number(item.department.code, today, reserve=(Case, Task)),
                    verification_code=verification_code(), item=item, version=item.current_version,
                    unit_code=defn.unit_code, unit_name=defn.unit_name, department=item.department,
                    applicant=applicant, channel=channel, received_by=actor if channel == Channel.WINDOW else None,
                    form_data=data, submitted_at=now, acts_on=target)
        clock.start(case, today, statutory=defn.statutory_limit_days, promised=defn.promised_limit_days,
                    prereview=defn.prereview_limit_days if channel == Channel.ONLINE else None)
        rows.insert([case])
        track(case)
        caselog.act_as_of(case, now)
        stored = _store_materials(case, prepared, replacing=False)
        caselog.append(case, kind="submitted", actor=actor,
                       actor_role=Role.APPLICANT if channel == Channel.ONLINE else Role.WINDOW_CLERK,
                       summary=f"{case.get_channel_display()}：收到申请材料",
                       data={"version": item.current_version.number, "checksum": item.current_version.checksum,
                             "unit": defn.unit_code, "materials": [r["key"] for r in prepared],
                             **({"certificate": target.number} if target else {})})
        _issue_receipt(case, stored)  # a new case has exactly the materials just stored
        moves = Moves()
        if defn.acceptance_step() is None:
            accept_case(case, on=today, deemed=False, why="本事项即收即受理")
        open_step(case, defn, defn.start, branch="", moves=moves, now=now)
        save_case(case)
    case.opened_tasks = moves.opened
    draft_discard(next((d for d in _DRAFTS.all(applicant.pk, item.current_version_id,
                                               alias=router.db_for_write(Draft))
                        if d.unit_code == defn.unit_code), None))
    if claimed is not None:
        Submission.objects.filter(pk=claimed.pk).update(case=case)
    emit(case, "submitted")
    return case


@dataclass(frozen=True)
class ApplicantInput:
    """The applicant of a paper application as the clerk types it from the identity document."""

    kind: str  # Applicant.Kind
    name: str
    identity_number: str  # 身份证号码 for a natural person, 统一社会信用代码 otherwise
    phone: str = ""
    address: str = ""


def _window_applicant(actor, given: ApplicantInput) -> tuple[Applicant | None, dict]:
    """The registered applicant with this identity number, or a new one registered now; with the
    problems (paths ``applicant.<field>``) when neither is possible."""
    from django.core.exceptions import ValidationError

    from accounts.services import applicant_create

    name, number = (given.name or "").strip(), (given.identity_number or "").strip().upper()
    if given.kind not in Applicant.Kind.values:
        return None, {"applicant.kind": ["请选择申请人类型"]}
    problems = {}
    if not name:
        problems["applicant.name"] = ["请填写申请人名称或姓名"]
    if not number:
        problems["applicant.identity_number"] = ["请填写证件号码"]
    if problems:
        return None, problems
    field = "id_number" if given.kind == Applicant.Kind.NATURAL else "credit_code"
    existing = Applicant.objects.filter(**{field: number}).first()
    if existing is not None:
        if existing.name != name:
            return None, {"applicant.name": [f"该证件号码已登记为申请人“{existing.name}”，请核对"]}
        return existing, {}
    try:
        with transaction.atomic():
            return applicant_create(actor=actor, kind=given.kind, name=name, phone=(given.phone or "").strip(),
                                    address=(given.address or "").strip(), **{field: number}), {}
    except ValidationError as error:
        paths = {field: "applicant.identity_number", "name": "applicant.name", "phone": "applicant.phone",
                 "address": "applicant.address"}
        return None, {paths.get(k, f"applicant.{k}"): list(v) for k, v in error.message_dict.items()}


@atomic_with_files
def case_intake_at_window(*, actor, item: ApprovalItem, applicant: ApplicantInput, form_data,
                          materials: Iterable[MaterialInput] = (), unit_code: str | None = None,
                          now: dt.datetime | None = None, submission_token: str = "",
                          certificate_number: str = "") -> Case:
    """Window intake (窗口收件): a clerk enters a paper application for an applicant the same day,
    registering the applicant first if new. One transaction: when anything is wrong, every
    problem (applicant, form, materials) is reported at once and nothing is saved, not even
    the new applicant."""
    require_window_clerk(actor)
    person, problems = _window_applicant(actor, applicant)
    if problems:
        defn = published_definition(_published(item, Channel.WINDOW).current_version, unit_code)
        context = rule_data.intake_context(defn=defn, channel=Channel.WINDOW, applicant=None,
                                           on=timezone.localdate(now or timezone.now()))
        data, form_problems = _clean_form(defn, form_data, context)
        _, material_problems = _check_materials(defn, data, materials, channel=Channel.WINDOW, applicant=None,
                                                context=context)
        raise InvalidInput("申请内容有误，请按提示修改后重新提交（已填写的内容已保留）",
                           details={**problems, **form_problems, **material_problems})
    return case_submit(actor=actor, item=item, form_data=form_data, materials=materials, channel=Channel.WINDOW,
                       applicant=person, unit_code=unit_code, now=now, submission_token=submission_token,
                       certificate_number=certificate_number)


def _issue_receipt(case: Case, materials: Iterable[Material] | None = None) -> None:
    if materials is None:
        materials = case.materials.filter(superseded=False).select_related("certificate")
    issue_document(case, "receipt", channel=case.get_channel_display(),
                   received_at=timezone.localtime(caselog.acting_at(case)).strftime("%Y年%m月%d日 %H:%M"),
                   acceptance_due_on=clock_cn(case.acceptance_due_on), materials=_materials_text(materials))


def clock_cn(day: dt.date | None) -> str:
    from .engine import cn_date

    return cn_date(day)


@atomic_with_files
def case_resubmit(*, actor, case: Case, form_data, materials: Iterable[MaterialInput] = (),
                  expected_version: int | None = None, now: dt.datetime | None = None) -> Case:
    """The applicant's correction (补正): the whole form again and the replaced materials. Before
    acceptance the 5-working-day window starts again from this receipt."""
    now = now or timezone.now()
    case = lock_case(case, expected_version=expected_version, now=now)
    access.require_resubmitter(actor, case)
    if case.state != CaseState.CORRECTING:
        raise Conflict(f"办件当前状态为“{case.get_state_display()}”，不需要补正")
    defn = definition_of(case)
    waiting = list(Task.objects.filter(case=case, state=TaskState.WAITING))
    context = rule_data.case_context(case, defn, task=waiting[0] if waiting else None)
    data, problems = _clean_form(defn, form_data, context)
    already = set(case.materials.filter(superseded=False).values_list("key", flat=True))
    prepared, material_problems = _check_materials(defn, data, materials, channel=case.channel,
                                                   applicant=case.applicant, context=context, already=already)
    problems = {**problems, **material_problems}
    if problems:
        raise InvalidInput("补正内容有误，请按提示修改后重新提交（已填写的内容已保留）", details=problems)
    today = timezone.localdate(now)
    case.form_data = data
    _store_materials(case, prepared)
    for task in waiting:
        task.state = TaskState.OPEN
        task.opened_on = today
        task.opened_at = now
        clock.task_due(task)
        rows.update(task, ["state", "opened_on", "opened_at", "due_on", "due_provisional"])
    if case.paused_since is not None:  # the item stopped the clock for this correction: it runs again
        end_pause(case, on=today, result="申请人补正后重新提交", actor=actor)
    if case.accepted_on is None:
        clock.start(case, today, statutory=case.statutory_limit_days, promised=case.promised_limit_days,
                    prereview=case.prereview_limit_days)
        case.state = CaseState.RECEIVED
    else:
        case.state = CaseState.IN_PROGRESS
    caselog.append(case, kind="resubmitted", actor=actor,
                   actor_role=Role.APPLICANT if is_applicant(actor) else Role.WINDOW_CLERK,
                   summary="申请人补正后重新提交", data={"materials": [r["key"] for r in prepared]})
    _issue_receipt(case)
    save_case(case)
    emit(case, "resubmitted")
    return case


@transaction.atomic
def case_withdraw(*, actor, case: Case, reason: str, expected_version: int | None = None,
                  now: dt.datetime | None = None) -> Case:
    """The applicant withdraws the application before a decision (撤回申请), giving the reason
    (required; the case page shows it)."""
    now = now or timezone.now()
    case = lock_case(case, expected_version=expected_version, now=now)
    access.require_withdrawer(actor, case)
    if not case.is_open:
        raise Conflict(f"办件已{case.get_state_display()}，不能撤回")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写撤回申请的原因", details={"reason": ["请填写撤回申请的原因"]})
    if case.paused_since is not None:
        end_pause(case, on=timezone.localdate(now), result="申请人撤回申请")
    cancel_tasks(case, open_tasks(case), reason="申请人撤回申请", moves=Moves(), now=now)
    case.state = CaseState.WITHDRAWN
    case.completed_on = timezone.localdate(now)
    caselog.append(case, kind="withdrawn", actor=actor, actor_role=Role.APPLICANT, summary="申请人撤回申请",
                   opinion=reason)
    save_case(case)
    emit(case, "withdrawn")
    return case


# --- The engine's actions -------------------------------------------------------------------

# (step type, action) pairs that, tried alone, needed a transaction (a write before the last
# statement, or a read of a table a held write changes): done in one at once from then on (in
# this process), without the read the attempt costs.
_NOT_ALONE: set[tuple] = set()


def task_complete(*, actor, task: Task, action: str, **kwargs) -> Case:
    """Act on an open task: approve, return, reject, request_correction, suspend, extend or
    complete (what the step allows). ``decision``: the answers to the step's decision form
    (决定事项), validated by its JSON Schema and recorded with the task when the action decides
    (``actions.RECORDS_DECISION``). Two people acting on one task at once: the first wins, the
    second is refused with a Conflict.

    On PostgreSQL outside a transaction, an action whose writes fit one statement (a forward step
    of most items) is done without one: the task and case are read unlocked and the writes go out
    as one statement, refused whole if another change came between: it inserts the case's next
    log entries (``unique_case_log_seq``) and completes the task only if its state is still as
    read (``rows.update(expect=...)``; ``rows.writes_together(alone=True)``). That saves the BEGIN
    and COMMIT round trips. Any other action, and one refused so, is done (again) the
    ordinary way: locked, in a transaction, where the second of two gets its Conflict."""
    shape = (task.__dict__.get("step_type"), action)
    alias = router.db_for_write(Case)
    if shape not in _NOT_ALONE and rows.can_act_alone(alias):
        try:
            return _task_complete(actor=actor, task=task, action=action, alone=True, **kwargs)
        except rows.NeedsTransaction as refused:
            if not refused.concurrent:
                _NOT_ALONE.add(shape)
    with transaction.atomic(using=alias):
        return _task_complete(actor=actor, task=task, action=action, alone=False, **kwargs)


def _task_complete(*, actor, task: Task, action: str, alone: bool, opinion: str = "", decision: dict | None = None,
                   expected_version: int | None = None, now: dt.datetime | None = None, **params) -> Case:
    now = now or timezone.now()
    case, task = lock_task(task.pk, expected_version=expected_version, now=now, lock=not alone)
    require_task_actor(actor, task)
    if task.state != TaskState.OPEN:
        if task.state == TaskState.DONE:
            who = task.completed_by.display_name if task.completed_by_id else "系统"
            raise Conflict(f"“{task.step_name}”环节已由{who}办理完毕，请刷新后查看，无需重复操作")
        raise Conflict(f"“{task.step_name}”环节当前{task.get_state_display()}，不能办理")
    defn = definition_of(case)
    step = defn.step(task.step_key)
    handler = actions.get(action) if action in actions else None
    if handler is None or action not in step.get("actions", []):
        allowed = "、".join(actions.get(a).label for a in step.get("actions", []) if a in actions)
        raise InvalidInput(f"“{task.step_name}”环节不能执行此操作", details={"action": [f"可用操作：{allowed}"]})
    behaviour = behaviour_of(task.step_type)
    if case.state == CaseState.SUSPENDED and not behaviour.works_while_suspended:
        raise Conflict("特殊程序进行中，办理暂停；请先结束特殊程序")
    workable = (CaseState.RECEIVED, CaseState.IN_PROGRESS, CaseState.SUSPENDED)
    if case.state not in workable and not (case.state == CaseState.COMPLETED and behaviour.works_after_completion):
        raise Conflict(f"办件当前状态为“{case.get_state_display()}”，不能办理")
    opinion = (opinion or "").strip()
    problems = {}
    if needs_opinion(step, action) and not opinion:
        problems["opinion"] = ["此操作须填写审批意见"]
    recorded, decision_problems = _clean_decision(case, defn, task, action, decision)
    problems.update(decision_problems)
    if problems:
        message = "请填写并签署审批意见" if list(problems) == ["opinion"] else "办理内容有误，请按提示修改（已填写的内容已保留）"
        raise InvalidInput(message, details=problems)
    ctx = ActionContext(case=case, defn=defn, task=task, step=step, actor=actor, opinion=opinion, params=params,
                        now=now, today=timezone.localdate(now), decision=recorded)
    # the completed task's UPDATE and the next task's INSERT travel with the action's last statement
    with rows.writes_together(router.db_for_write(Case), reserved={Task: task.reserved_task_id}, alone=alone):
        handler.perform(ctx)
        if alone and not caselog.has_pending(case):  # no log entry: nothing would refuse a concurrent action's
            raise rows.NeedsTransaction
        save_case(case)
    case.opened_tasks = ctx.moves.opened
    emit(case, f"task_{action}", task_id=task.pk, step=task.step_key)
    return case


def _clean_decision(case: Case, defn: Definition, task: Task, action: str, decision) -> tuple[dict, dict]:
    """The decision to record (``{}`` when the step has no decision form or the action decides
    nothing, e.g. a return) and its problems, at paths ``decision.<field>``."""
    form = defn.decision_form(task.step_key)
    if form is None:
        if decision:
            return {}, {"decision": [f"“{task.step_name}”环节没有需要填写的决定事项"]}
        return {}, {}
    if action not in RECORDS_DECISION:
        return {}, {}
    decision = {} if decision is None else decision
    if not isinstance(decision, dict):
        return {}, {"decision": ["决定事项应为对象"]}
    validator = defn.decision_validator(task.step_key)
    context = rule_data.case_context(case, defn, task=task)
    errors = validator.errors(decision, context)
    problems = {"decision" + path.removeprefix("$"): messages for path, messages in errors.items()}
    return validator.clean(decision, context), problems


def _intake_task(case: Case) -> Task:
    task = Task.objects.filter(case=case, state=TaskState.OPEN, step_type__in=keys_where(intake=True)).first()
    if task is None:
        raise Conflict("办件没有待受理的环节")
    return task


def case_accept(*, actor, case: Case, opinion: str = "", expected_version: int | None = None,
                now: dt.datetime | None = None) -> Case:
    """受理: approve the open intake step."""
    return task_complete(actor=actor, task=_intake_task(case), action="approve", opinion=opinion,
                         expected_version=expected_version, now=now)


def case_refuse(*, actor, case: Case, reason: str, expected_version: int | None = None,
                now: dt.datetime | None = None) -> Case:
    """不予受理, with the reasons the notice prints."""
    return task_complete(actor=actor, task=_intake_task(case), action="reject", opinion=reason,
                         expected_version=expected_version, now=now)


def case_request_correction(*, actor, case: Case, items: list[str], note: str = "",
                            expected_version: int | None = None, now: dt.datetime | None = None) -> Case:
    """一次性告知补正: every missing or deficient material and field at once."""
    return task_complete(actor=actor, task=_intake_task(case), action="request_correction",
                         opinion=note or "请按告知内容补正", items=items, expected_version=expected_version, now=now)


@transaction.atomic
def special_procedure_end(*, actor, case: Case, result: str, ended_on: dt.date | str | None = None,
                          expected_version: int | None = None, now: dt.datetime | None = None) -> Case:
    """End a special procedure started with the ``suspend`` action on ``ended_on`` (its last day,
    today unless given; from its start date to today); the clock runs again."""
    now = now or timezone.now()
    case = lock_case(case, expected_version=expected_version, now=now)
    if case.state != CaseState.SUSPENDED or case.paused_since is None:
        raise Conflict("办件没有正在进行的特殊程序")
    pause = case.pauses.filter(ended_on__isnull=True).select_related("task", "task__department").first()
    if pause.task is not None and behaviour_of(pause.task.step_type).stops_clock:
        raise Conflict("此特殊程序是流程中的环节，请在该环节办理“通过”以结束")
    access.require_pause_ender(actor, pause)
    today = timezone.localdate(now)
    problems = {"result": [] if (result or "").strip() else ["请填写特别程序的结果"]}
    try:
        on = pause_dates.parse_day(ended_on, "ended_on", default=today)
    except InvalidInput as error:
        problems.update(error.details)
    else:
        problems["ended_on"] = pause_dates.end_problems(pause, on=on, today=today)
    pause_dates.require(problems)
    end_pause(case, on=on, result=result.strip(), actor=actor)
    save_case(case)
    emit(case, "pause_ended")
    return case


@transaction.atomic
def extension_decide(*, actor, extension: Extension, approve: bool, opinion: str,
                     now: dt.datetime | None = None) -> Extension:
    """The agency head approves (or not) an extension of the statutory limit."""
    now = now or timezone.now()
    case = lock_case(extension.case_id, now=now)
    extension = Extension.objects.get(pk=extension.pk)
    access.require_extension_decider(actor, case)
    if extension.state != Extension.State.REQUESTED:
        raise Conflict("该延期申请已处理")
    if not case.is_open:
        raise Conflict(f"办件已{case.get_state_display()}")
    if not (opinion or "").strip():
        raise InvalidInput("请填写批准意见", details={"opinion": ["请填写意见"]})
    extension.state = Extension.State.APPROVED if approve else Extension.State.DENIED
    extension.decided_by = actor
    extension.decided_at = now
    extension.opinion = opinion.strip()
    extension.save()
    if approve:
        clock.extend(case, extension.days)
        caselog.append(case, kind="extension_approved", actor=actor, actor_role=Role.LEADER,
                       opinion=extension.opinion, summary=f"批准延长审批期限{extension.days}个工作日",
                       data={"extension": extension.pk, "statutory_due_on": case.statutory_due_on.isoformat()})
        issue_document(case, "extension_notice", days=extension.days, days_text=f"{extension.days}个工作日",
                       reason=extension.reason, statutory_due_on=clock_cn(case.statutory_due_on))
    else:
        caselog.append(case, kind="extension_denied", actor=actor, actor_role=Role.LEADER,
                       opinion=extension.opinion, summary="未批准延期", data={"extension": extension.pk})
    save_case(case)
    emit(case, "extension_decided", approved=approve)
    return extension


@transaction.atomic
def case_deliver(*, actor, case: Case, method: str = "窗口领取", expected_version: int | None = None,
                 now: dt.datetime | None = None) -> Case:
    """送达, for items whose workflow ends at completion (no delivery step of their own)."""
    now = now or timezone.now()
    case = lock_case(case, expected_version=expected_version, now=now)
    access.require_deliverer(actor, case)
    if case.state != CaseState.COMPLETED:
        raise Conflict(f"办件当前状态为“{case.get_state_display()}”，不能送达")
    if open_tasks(case):
        raise Conflict("办件还有未完成的环节（送达环节请在待办中办理）")
    deliver_case(case, today=timezone.localdate(now), method=(method or "窗口领取").strip()[:50], actor=actor)
    save_case(case)
    emit(case, "delivered")
    return case


# --- The system's own acts ------------------------------------------------------------------

def cases_deem_accepted(*, today: dt.date | None = None, now: dt.datetime | None = None) -> list[str]:
    """Deemed acceptance (行政许可法 art. 32): every case received, still undecided and without a
    correction notice after the 5th working day accepts as of its receipt date. Idempotent.
    ``today`` (the day judged) defaults to ``now``'s date; ``now`` dates the log."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    due = (Case.objects.filter(state=CaseState.RECEIVED, accepted_on__isnull=True, acceptance_due_on__lt=today)
           .values_list("pk", flat=True))
    done = []
    for pk in list(due):
        number = _deem_one(pk, today, now)
        if number:
            done.append(number)
    return done


@transaction.atomic
def _deem_one(pk: int, today: dt.date, now: dt.datetime) -> str | None:
    case = lock_case(pk, now=now)
    if case.state != CaseState.RECEIVED or case.accepted_on is not None or case.acceptance_due_on >= today:
        return None  # decided meanwhile
    defn = definition_of(case)
    moves = Moves()
    intake = defn.acceptance_step() or defn.start
    pending = [t for t in open_tasks(case) if behaviour_of(t.step_type).intake]
    for task in pending:
        task.state = TaskState.DONE
        task.completed_at = now
        task.action = "deemed"
        rows.update(task, ["state", "completed_at", "action"])
        caselog.append(case, kind="task_completed", summary=f"“{task.step_name}”：逾期未作决定，依法视为受理",
                       step_key=task.step_key, task=task, data={"action": "deemed"})
    accept_case(case, on=case.received_on, deemed=True,
                why=f"收件后5个工作日内（至{case.acceptance_due_on}）未作受理决定，也未告知补正，"
                    "依《行政许可法》第三十二条自收到申请材料之日起即为受理")
    anchor = Task(case=case, step_key=intake, branch="")
    advance(case, defn, anchor, moves=moves, now=now)
    save_case(case)
    emit(case, "deemed_accepted")
    return case.number


# --- Public notices (公示) --------------------------------------------------------------------

def notices_close(*, today: dt.date | None = None, now: dt.datetime | None = None) -> list[str]:
    """End every public notice whose last day is before ``today`` (default: ``now``'s date): a
    case without objections moves on by itself, one with objections goes to the step's role for
    their handling (the step's behaviour). Idempotent; returns the numbers of the cases moved."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    due = PublicNotice.objects.filter(closed_at__isnull=True, ends_on__lt=today, task__state=TaskState.NOTICE)
    return [number for pk in list(due.values_list("pk", flat=True)) if (number := _close_one(pk, today, now))]


@transaction.atomic
def _close_one(pk: int, today: dt.date, now: dt.datetime) -> str | None:
    notice = PublicNotice.objects.get(pk=pk)
    case, task = lock_task(notice.task_id, now=now)
    notice.refresh_from_db()
    if notice.closed_at is not None or task.state != TaskState.NOTICE or notice.ends_on >= today:
        return None  # closed meanwhile (another run, a withdrawal)
    defn = definition_of(case)
    ctx = ActionContext(case=case, defn=defn, task=task, step=defn.step(task.step_key), actor=None, opinion="",
                        params={}, now=now, today=today)
    ctx.behaviour.period_ended(ctx)
    save_case(case)
    case.opened_tasks = ctx.moves.opened
    emit(case, "notice_closed", task_id=task.pk, step=task.step_key)
    return case.number


@transaction.atomic
def objection_submit(*, notice: PublicNotice, name: str, contact: str, text: str,
                     now: dt.datetime | None = None) -> Objection:
    """An objection (异议) to a running public notice, from anyone (no login): stored with its
    receipt number and logged on the case. Refused with every problem under its field, or when
    the notice is no longer running; nothing is saved then."""
    now = now or timezone.now()
    name, contact, text = ((value or "").strip() for value in (name, contact, text))
    problems = notices.objection_problems(name=name, contact=contact, text=text)
    if problems:
        raise InvalidInput("异议未提交，请按提示修改（已填写的内容已保留）", details=problems)
    case, task = lock_task(notice.task_id, now=now)
    notice = PublicNotice.objects.select_related("task").get(pk=notice.pk)
    if case.version.confidential or not notices.is_running(notice, timezone.localdate(now)):
        raise Conflict("该公示已结束，不再接收异议")
    objection = notices.receive_objection(case, notice, name=name, contact=contact, text=text, now=now)
    save_case(case)
    emit(case, "objection_received", notice=notice.pk)
    return objection


def clocks_recompute(*, open_only: bool = True, now: dt.datetime | None = None) -> int:
    """Recompute the stored clock of cases (after the calendar changed); returns how many."""
    now = now or timezone.now()
    cases = Case.objects.all()
    if open_only:
        cases = cases.filter(state__in=[CaseState.RECEIVED, CaseState.CORRECTING, CaseState.IN_PROGRESS,
                                        CaseState.SUSPENDED, CaseState.COMPLETED])
    count = 0
    for pk in cases.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            case = lock_case(pk, now=now)
            tasks = list(case.tasks.all())
            pauses = list(case.pauses.all())
            before = (case.acceptance_due_on, case.statutory_due_on, case.promised_due_on, case.clock_provisional,
                      case.prereview_due_on)
            clock.recompute(case, tasks, pauses)
            for task in tasks:
                task.save(update_fields=["paused_days", "due_on", "due_provisional"])
            for pause in pauses:
                pause.save(update_fields=["expected_end_on", "working_days"])
            after = (case.acceptance_due_on, case.statutory_due_on, case.promised_due_on, case.clock_provisional,
                     case.prereview_due_on)
            if before != after:
                caselog.append(case, kind="clock_recomputed", summary="工作日历更新，重新计算期限",
                               data={"before": [str(v) for v in before], "after": [str(v) for v in after]})
            save_case(case)
        count += 1
    return count


# --- Drafts ---------------------------------------------------------------------------------

@atomic_with_files
def draft_save(*, actor, item: ApprovalItem, form_data, unit_code: str | None = None,
               materials: Iterable[MaterialInput] | None = None) -> Draft:
    """Save what the applicant has typed so far (no validation: a draft may be incomplete).
    ``materials`` (the application page's materials after a refusal; ``None`` leaves the kept
    ones alone): each file that passes the upload checks and each "paper original" tick is kept
    with the draft, so the next attempt starts with them; a material not given any more is
    dropped."""
    if not is_applicant(actor) or getattr(actor, "applicant", None) is None:
        raise AccessDenied("只有申请人可以保存申请草稿")
    item = _published(item, Channel.ONLINE)
    defn = published_definition(item.current_version, unit_code)
    if not isinstance(form_data, dict):
        raise InvalidInput("表单数据应为对象", details={"$": ["表单数据应为对象"]})
    if len(json.dumps(form_data, ensure_ascii=False).encode("utf-8")) > MAX_FORM_BYTES:
        raise InvalidInput("表单数据过大", details={"$": ["表单数据过大"]})
    draft, _ = Draft.objects.update_or_create(applicant=actor.applicant, version=item.current_version,
                                              unit_code=defn.unit_code, defaults={"form_data": form_data})
    if materials is not None:
        _keep_draft_materials(draft, defn, materials)
    return draft


def _keep_draft_materials(draft: Draft, defn: Definition, materials: Iterable[MaterialInput]) -> None:
    kept = {m.key: m for m in draft.materials.all()}
    given = {m.key: m for m in materials if defn.material(m.key) is not None}
    gone: list[tuple] = []  # files to delete after commit
    for key, row in kept.items():
        if key not in given:
            gone += stored(row.file)
            row.delete()
    for key, material_input in given.items():
        row = kept.get(key) or DraftMaterial(draft=draft, key=key)
        if material_input.content is not None:
            checked, issues = check_upload(material=defn.material(key), name=material_input.name or key,
                                           content=material_input.content)
            if issues:  # a refused file is not kept; the page says why
                continue
            if row.sha256 != checked.sha256:
                gone += stored(row.file)
                row.file.save(f"{draft.pk}-{key}-{checked.sha256[:12]}.{checked.sniffed_type}",
                              ContentFile(checked.content), save=False)
                remember_written(row.file.storage, row.file.name)
                row.original_name, row.size, row.sha256 = checked.name, checked.size, checked.sha256
            row.paper_original = material_input.paper
        elif material_input.paper:
            gone += stored(row.file)
            row.file, row.original_name, row.size, row.sha256, row.paper_original = "", "", 0, "", True
        else:  # a certificate: chosen again from the list
            if row.pk:
                gone += stored(row.file)
                row.delete()
            continue
        row.save()
    delete_on_commit(gone)


def draft_discard(draft: Draft | None) -> None:
    """Delete a draft with its kept files (after commit)."""
    if draft is not None:
        delete_on_commit([pair for m in draft.materials.all() for pair in stored(m.file)])
        draft.delete()


__all__ = ["ApplicantInput", "MaterialInput", "case_accept", "case_intake_at_window", "case_deliver", "case_refuse", "case_request_correction",
           "case_resubmit", "case_submit", "case_withdraw", "cases_deem_accepted", "clocks_recompute", "draft_save",
           "extension_decide", "special_procedure_end", "task_complete"]


# --- Material checks (材料审查, 纸质原件核对) -----------------------------------------------------

@transaction.atomic
def material_check(*, actor, case: Case, material: Material, verdict: str, reason: str = "",
                   subject: str = MaterialCheck.Subject.FILE, expected_version: int | None = None,
                   now: dt.datetime | None = None) -> MaterialCheck:
    """Record one check of one material: 合格, or 需补正 with the reason the correction notice will
    give. ``subject``: the file (pre-review, 材料审查) or its paper original at the window
    (纸质原件核对). Logged on the case (``material_checked``); the latest check of a material and
    subject stands. Refused, with nothing saved, for a material of another case or one replaced
    by a correction, an unknown verdict, or 需补正 without a reason."""
    now = now or timezone.now()
    case = lock_case(case, expected_version=expected_version, now=now)
    access.require_material_checker(actor, case)
    if material.case_id != case.pk:
        raise InvalidInput("该材料不属于本办件", details={"material": ["该材料不属于本办件"]})
    if material.superseded:
        raise Conflict(f"“{material.name}”已被补正材料替换，请核查新提交的材料")
    problems: dict[str, list[str]] = {}
    if subject not in MaterialCheck.Subject.values:
        problems["subject"] = ["请选择核查内容：材料审查或纸质原件核对"]
    if verdict not in MaterialCheck.Verdict.values:
        problems["verdict"] = ["请选择核查结论：合格或需补正"]
    reason = (reason or "").strip()
    if verdict == MaterialCheck.Verdict.NEEDS_CORRECTION and not reason:
        problems["reason"] = ["标记需补正时请写明理由（将写入一次性告知补正通知书）"]
    if len(reason) > 300:
        problems["reason"] = ["理由不超过300字"]
    if problems:
        raise InvalidInput("材料核查未记录：" + "；".join(m for ms in problems.values() for m in ms), details=problems)
    if verdict == MaterialCheck.Verdict.PASSED:
        reason = ""
    check = MaterialCheck.objects.create(case=case, material=material, subject=subject, verdict=verdict,
                                         reason=reason, checked_by=actor, checked_at=now)
    what = MaterialCheck.Subject(subject).label
    shown = MaterialCheck.Verdict(verdict).label + (f"（{reason}）" if reason else "")
    caselog.append(case, kind="material_checked", actor=actor, summary=f"{what}：“{material.name}”{shown}",
                   data={"material": material.pk, "key": material.key, "subject": subject, "verdict": verdict,
                         "reason": reason})
    save_case(case)
    emit(case, "material_checked")
    return check
