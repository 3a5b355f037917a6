"""What each action does to a case, registered by key (the keys the designer's steps allow).

An :class:`Action` receives an :class:`ActionContext` whose case row is locked and whose actor's
right and the case's state were checked by ``services.task_complete``. Adding an action is one
handler and one ``register`` line here. What ``approve`` and ``complete`` mean depends on the
step (acceptance, the end of a special procedure, a countersignature, delivery …): those two
ask the step's behaviour (``runtime.steps``); the others ask it only for its properties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import router

from core.errors import Conflict, InvalidInput
from core.registry import Registry

from . import caselog, certificates, clock, rows
from .access import holds_step_role
from .decisions import deciding_task, decision_lines
from .definitions import ACTIONS, SPECIAL_PROCEDURES, Definition
from .documents import document_templates
from .engine import (
    Moves,
    advance,
    cancel_tasks,
    cn_date,
    definition_of,
    issue_document,
    open_step,
    open_tasks,
    previous_performer,
    start_correction_pause,
    start_pause,
)
from .models import Case, CaseState, Channel, Decision, Extension, Material, Task, TaskState
from .pause_dates import parse_day, require, start_problems
from .steps import StepBehaviour, behaviour_of

# Actions that always need a written reason, whatever the step.
REASONED = frozenset({"return", "reject", "request_correction", "suspend", "extend"})
# Actions that decide on the step, so its decision form (决定事项) is filled and recorded with them
# (a return sends the case back and decides nothing).
RECORDS_DECISION = frozenset({"approve", "reject", "complete"})
MAX_EXTENSION_DAYS = 10


@dataclass
class ActionContext:
    case: Case
    defn: Definition
    task: Task
    step: dict
    actor: object
    opinion: str
    params: dict
    now: dt.datetime
    today: dt.date
    moves: Moves = field(default_factory=Moves)
    decision: dict = field(default_factory=dict)  # the step's decision form as recorded (validated)
    behaviour: StepBehaviour = field(init=False)

    def __post_init__(self):
        self.behaviour = behaviour_of(self.task.step_type)

    def finish(self, action: str, summary: str | None = None) -> None:
        finish(self, action, summary)

    def advance(self) -> None:
        advance(self.case, self.defn, self.task, moves=self.moves, now=self.now)

    def complete_case(self) -> None:
        """办结, unless the case is already decided (a delivery step after completion)."""
        if self.case.completed_on is None:
            complete_case(self.case, today=self.today, opinion=self.opinion or "同意", actor=self.actor,
                          task=self.task)

    def window_passed(self) -> bool:
        """Whether the 5-working-day acceptance window has passed without a decision."""
        return self.case.accepted_on is None and self.today > self.case.acceptance_due_on


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    perform: Callable[[ActionContext], None]
    # Cannot be undone once done (a refusal, a rejection, 办结 or 送达): the page asks first.
    irreversible: bool = False


actions: Registry[Action] = Registry("办件操作")


def needs_opinion(step: dict, action: str) -> bool:
    if "opinion_required" in step:  # forward-compatible: a step may say so itself
        return bool(step["opinion_required"]) or action in REASONED
    return action in REASONED or behaviour_of(step["type"]).opinion_required


def finish(ctx: ActionContext, action: str, summary: str | None = None) -> None:
    task = ctx.task
    was = task.state
    task.state = TaskState.DONE
    task.completed_at = ctx.now
    task.completed_by = ctx.actor if getattr(ctx.actor, "pk", None) else None
    task.action = action
    task.opinion = ctx.opinion
    task.decision = ctx.decision
    task.actor_held_role = holds_step_role(ctx.actor, task) if task.completed_by_id is not None else None
    # Done alone (no lock holds the task), the update expects the task as read, should a change
    # that writes no log entry come between; done locked, the lock already excludes one.
    rows.update(task, ["state", "completed_at", "completed_by", "actor_held_role", "action", "opinion", "decision"],
                expect={"state": was} if rows.acting_alone(type(task)) else None)
    label = ACTIONS.get(action, action)
    recorded = {"decision": ctx.decision} if ctx.decision else {}
    caselog.append(ctx.case, kind="task_completed", summary=summary or f"“{task.step_name}”：{label}",
                   actor=ctx.actor, actor_role=task.role, step_key=task.step_key, task=task,
                   opinion=ctx.opinion, data={"action": action, **_loggable(ctx.params), **recorded})


def _loggable(params: dict) -> dict:
    return {k: v for k, v in params.items() if isinstance(v, str | int | list) and k != "materials"}


_CURRENT_MATERIALS = rows.Prepared(lambda case_id: Material.objects.filter(
    case_id=case_id, superseded=False, certificate__isnull=True).order_by("pk"))


def originals_to_check(case: Case) -> tuple[list[str], str]:
    """After an online application's pre-review: the materials whose paper originals must be
    checked at the window (those the applicant said travel on paper, and those the item accepts
    on paper only), and where to bring them (the item's accepting office)."""
    if case.channel != Channel.ONLINE:
        return [], ""
    defn = definition_of(case)
    names = []
    for material in _CURRENT_MATERIALS.all(case.pk, alias=router.db_for_read(Material)):
        spec = defn.material(material.key) or {}
        if material.paper_original or spec.get("medium") == "paper":
            names.append(material.name)
    if not names:
        return [], ""
    office = defn.public.get("accepting_office") or {}
    where = office.get("name", "")
    if office.get("address"):
        where += f"（{office['address']}）"
    if office.get("phone"):
        where += f"，咨询电话{office['phone']}"
    return names, where


def accept_case(case: Case, *, on: dt.date, deemed: bool, actor=None, why: str = "") -> None:
    clock.accept(case, on, deemed=deemed)
    case.state = CaseState.IN_PROGRESS
    originals, where = originals_to_check(case)
    summary = why or f"予以受理，法定办结期限{case.statutory_due_on}"
    data = {"accepted_on": on.isoformat(), "deemed": deemed, "statutory_due_on": case.statutory_due_on.isoformat(),
            "promised_due_on": case.promised_due_on.isoformat(), "provisional": case.clock_provisional}
    if originals:
        data.update(originals=originals, originals_at=where)
    caselog.append(case, kind="accepted", actor=actor, summary=summary, data=data)
    note = ("因本机关在收到申请材料之日起5个工作日内未作出决定或告知补正，依法自收到申请材料之日起即为受理。"
            if deemed else "")
    extra = {"originals": originals, "originals_at": where,
             "originals_note": f"网上预审已通过。请携带上列材料的原件到{where}核验。"} if originals else {}
    issue_document(case, "acceptance_notice", accepted_on=cn_date(on), deemed_note=note,
                   statutory_due_on=cn_date(case.statutory_due_on) + ("（暂定）" if case.clock_provisional else ""),
                   promised_due_on=cn_date(case.promised_due_on), **extra)


def _approve(ctx: ActionContext) -> None:
    ctx.behaviour.on_approve(ctx)


def complete_case(case: Case, *, today: dt.date, opinion: str, actor=None, task: Task | None = None) -> None:
    """办结: the decision is final; an approval issues the certificate and the decision. The letter
    quotes the opinion of the step that decided (``decisions.deciding_task``; ``opinion``, the
    completing step's, only when no step decided) and every recorded decision field. ``task``: the
    task whose action completes the case."""
    deciding = deciding_task(case, current=task)
    if deciding is not None and deciding.opinion:
        opinion = deciding.opinion
    if not case.decision:
        case.decision = Decision.APPROVED
    case.completed_on = today
    case.state = CaseState.COMPLETED
    caselog.append(case, kind="completed", actor=actor, summary=f"办结：{case.get_decision_display()}",
                   data={"decision": case.decision, "completed_on": today.isoformat()})
    # What the approval does to the registry is the unit's certificate operation (a refusal: nothing).
    cert = certificates.on_approval(case, today=today) if case.decision == Decision.APPROVED else None
    decision_text = (f"经审查，您的申请符合法定条件、标准，本机关决定准予{case.unit_name}。"
                     if case.decision == Decision.APPROVED else
                     "经审查，您的申请不符合法定条件、标准，本机关决定不予许可。如不服本决定，可以在收到本决定书之日起"
                     "六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。")
    issue_document(case, "decision", decision=case.get_decision_display(), decision_text=decision_text,
                   opinion=opinion, decisions=decision_lines(case, definition_of(case)),
                   certificate_name=cert.name if cert else "",
                   certificate_number=cert.number if cert else "",
                   valid_until=certificates.validity_text(cert))


def deliver_case(case: Case, *, today: dt.date, method: str, actor=None) -> None:
    # Only completed cases are delivered, and completion always issues the decision.
    documents = document_templates.get("decision").title
    case.state = CaseState.DELIVERED
    caselog.append(case, kind="delivered", actor=actor, summary=f"送达（{method}）", data={"method": method})
    issue_document(case, "delivery_receipt", documents=documents or "审批决定书", method=method,
                   delivered_on=cn_date(today))


def _complete(ctx: ActionContext) -> None:
    ctx.behaviour.on_complete(ctx)


def _reject(ctx: ActionContext) -> None:
    case, task = ctx.case, ctx.task
    others = [t for t in open_tasks(case) if t.pk != task.pk]
    if case.accepted_on is None and ctx.behaviour.intake:
        if ctx.window_passed():
            raise Conflict("收件已满5个工作日，依法视为受理，不能再作不予受理决定")
        finish(ctx, "reject", f"“{task.step_name}”：不予受理")
        cancel_tasks(case, others, reason="不予受理", moves=ctx.moves, now=ctx.now)
        case.state = CaseState.REFUSED
        case.completed_on = ctx.today
        issue_document(case, "refusal_notice", reason=ctx.opinion)
        return
    finish(ctx, "reject", f"“{task.step_name}”：不予许可")
    case.decision = Decision.REJECTED
    cancel_tasks(case, others, reason="已作出不予许可的意见", moves=ctx.moves, now=ctx.now)
    target = ctx.defn.completion_step()
    if target is None or target == task.step_key:
        complete_case(case, today=ctx.today, opinion=ctx.opinion, actor=ctx.actor, task=task)
        return
    open_step(case, ctx.defn, target, branch="", moves=ctx.moves, now=ctx.now)


def _return(ctx: ActionContext) -> None:
    case, task, step, defn = ctx.case, ctx.task, ctx.step, ctx.defn
    allowed = step.get("return_to", [])
    target = ctx.params.get("return_to") or (allowed[0] if len(allowed) == 1 else "")
    if target not in allowed:
        names = "、".join(defn.step(k)["name"] for k in allowed)
        raise InvalidInput("请选择退回到哪个环节", details={"return_to": [f"可退回到：{names}"]})
    finish(ctx, "return", f"“{task.step_name}”退回“{defn.step(target)['name']}”")
    branch = task.branch
    # Leave every parallel region the target lies outside of, cancelling that region's other tasks.
    while branch:
        split = branch.rsplit("/", 1)[-1]
        if target != split and defn.is_reachable(split, target):
            break  # the target is inside this branch region: only this branch goes back
        region = [t for t in open_tasks(case) if t.branch == branch or t.branch.startswith(branch + "/")]
        cancel_tasks(case, region, reason=f"并联审批中“{task.step_name}”退回", moves=ctx.moves, now=ctx.now)
        branch = branch.rsplit("/", 1)[0] if "/" in branch else ""
    open_step(case, defn, target, branch=branch, moves=ctx.moves, now=ctx.now,
              assignee=previous_performer(case, target))


def _request_correction(ctx: ActionContext) -> None:
    case, task = ctx.case, ctx.task
    items = [str(i).strip() for i in ctx.params.get("items") or [] if str(i).strip()]
    if not items:
        raise InvalidInput("请列出需要补正的全部材料和内容", details={"items": ["一次性告知须列出全部需补正的内容"]})
    if case.accepted_on is None:
        if ctx.window_passed():
            raise Conflict("收件已满5个工作日，依法视为受理，不能再告知补正")
        if case.corrections_before_acceptance:
            raise Conflict("受理前的补正须一次性告知，本件已告知过补正，不能再次告知")
        case.corrections_before_acceptance += 1
    task.state = TaskState.WAITING
    rows.update(task, ["state"])
    caselog.append(case, kind="correction_requested", actor=ctx.actor, actor_role=task.role,
                   summary=f"一次性告知补正（{len(items)}项）", step_key=task.step_key, task=task,
                   opinion=ctx.opinion, data={"items": items})
    clock_note = ""
    if case.accepted_on is not None and ctx.defn.correction_stops_clock \
            and start_correction_pause(case, task=task, reason=ctx.opinion, on=ctx.today) is not None:
        clock_note = (f"自{cn_date(ctx.today)}起至您补正提交之日，办理期限停止计算；"
                      "补正提交后继续计算，法定办结期限相应顺延。")
    case.state = CaseState.CORRECTING
    correct_by = clock.correction_due_on(ctx.today, ctx.defn.correction_limit_days)
    issue_document(case, "correction_notice", items=items, note=ctx.opinion, clock_note=clock_note,
                   correct_by=cn_date(correct_by), correct_by_iso=correct_by.isoformat())


def _suspend(ctx: ActionContext) -> None:
    """Record a special procedure: its kind, start date (today unless given) and expected working
    days. Every problem with them is reported at once, each under its field."""
    case, task = ctx.case, ctx.task
    if case.accepted_on is None:
        raise Conflict("受理后才能启动特殊程序")
    problems: dict[str, list[str]] = {}
    procedure = ctx.params.get("procedure")
    if procedure not in SPECIAL_PROCEDURES:
        problems["procedure"] = ["请选择程序种类，可选：" + "、".join(SPECIAL_PROCEDURES)]
    days = _int_problems(ctx.params.get("expected_days"), "expected_days", 1, 365, problems)
    try:
        started_on = parse_day(ctx.params.get("started_on"), "started_on", default=ctx.today)
    except InvalidInput as error:
        problems.update(error.details)
    else:
        problems["started_on"] = start_problems(case, task=task, on=started_on, today=ctx.today)
    require(problems)
    caselog.append(case, kind="task_action", actor=ctx.actor, actor_role=task.role, step_key=task.step_key,
                   task=task, opinion=ctx.opinion, summary=f"“{task.step_name}”：启动特殊程序（{procedure}）",
                   data={"action": "suspend"})
    start_pause(case, task=task, procedure=procedure, expected_days=days, reason=ctx.opinion, on=started_on)


def _extend(ctx: ActionContext) -> None:
    case, task = ctx.case, ctx.task
    days = _int(ctx.params.get("days", MAX_EXTENSION_DAYS), "days", 1, MAX_EXTENSION_DAYS)
    if case.accepted_on is None:
        raise Conflict("受理后才能申请延期")
    if case.extensions.exclude(state=Extension.State.DENIED).exists():
        raise Conflict("本件已申请过延期，审批期限只能延长一次")
    extension = Extension.objects.create(case=case, days=days, reason=ctx.opinion, requested_by=ctx.actor,
                                         requested_at=ctx.now)
    caselog.append(case, kind="extension_requested", actor=ctx.actor, actor_role=task.role, step_key=task.step_key,
                   task=task, opinion=ctx.opinion, summary=f"申请延长审批期限{days}个工作日",
                   data={"extension": extension.pk, "days": days})


def _int_problems(value, name: str, low: int, high: int, problems: dict[str, list[str]]) -> int:
    """:func:`_int`, with its problem added to ``problems`` instead of raised."""
    try:
        return _int(value, name, low, high)
    except InvalidInput as error:
        problems.update(error.details)
        return low


def _int(value, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("请填写整数", details={name: ["请填写整数"]}) from None
    if not low <= number <= high:
        raise InvalidInput(f"应在{low}到{high}之间", details={name: [f"应在{low}到{high}之间"]})
    return number


# Actions whose effect is final: 不予受理 / 不予许可, and 办结 / 送达.
IRREVERSIBLE = frozenset({"reject", "complete"})

# Actions after which the task stays on the desk (the case waits, or runs on in parallel).
KEEPS_TASK = frozenset({"request_correction", "suspend", "extend"})


def register_actions() -> None:
    for key, perform in [("approve", _approve), ("complete", _complete), ("reject", _reject), ("return", _return),
                         ("request_correction", _request_correction), ("suspend", _suspend), ("extend", _extend)]:
        actions.register(key, Action(key, ACTIONS[key], perform, irreversible=key in IRREVERSIBLE))
