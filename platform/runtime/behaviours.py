"""What each step type does when a case runs: one :class:`runtime.steps.StepBehaviour` per key
of the designer's step types (``designer.steps``), registered by :func:`register_step_behaviours`
from ``RuntimeConfig.ready``. A test checks that both registries hold the same keys.

A new step type is one entry here (plus its palette entry). A step that a person does not
perform, such as a public notice that the scheduler ends, overrides :meth:`open` (publish, and
open no task or a task no person acts on) and is moved on by its own scheduled service through
``engine.advance``.
"""

from __future__ import annotations

from core.errors import Conflict

from . import caselog, clock, notices, rows
from .actions import ActionContext, accept_case, deliver_case
from .engine import Opening, end_pause, start_pause
from .models import ACTIVE_TASK_STATES, Task, TaskSignature, TaskState
from .pause_dates import parse_day
from .steps import StepBehaviour, step_behaviours

# How a decision reaches the applicant, as the delivery step's page offers it (窗口领取 first: the default).
DELIVERY_METHODS = ("窗口领取", "邮寄送达", "电子送达")


class Receive(StepBehaviour):
    """收件: refusing or asking for corrections here is the acceptance decision."""

    key = "receive"
    intake = True
    action_labels = {"reject": "不予受理"}


class Accept(StepBehaviour):
    """受理: approving it accepts the case and starts the clock (deemed, as of the receipt date,
    once the 5-working-day window has passed)."""

    key = "accept"
    intake = True
    accepts = True
    action_labels = {"approve": "予以受理", "reject": "不予受理"}

    def on_approve(self, ctx: ActionContext) -> None:
        case, task = ctx.case, ctx.task
        if case.accepted_on is not None:  # a return reached it after acceptance: forward only
            super().on_approve(ctx)
            return
        ctx.finish("approve", f"“{task.step_name}”：予以受理")
        if ctx.window_passed():
            accept_case(case, on=case.received_on, deemed=True, actor=ctx.actor,
                        why="收件后5个工作日内未作决定，依法自收到申请材料之日起即为受理")
        else:
            accept_case(case, on=ctx.today, deemed=False, actor=ctx.actor)
        ctx.advance()


class Handle(StepBehaviour):
    key = "handle"
    opinion_required = True


class Review(StepBehaviour):
    key = "review"
    opinion_required = True
    action_labels = {"approve": "审核通过"}


class Approve(StepBehaviour):
    key = "approve"
    opinion_required = True
    action_labels = {"approve": "批准"}


class Countersign(StepBehaviour):
    """会签: ``signers`` different people holding the step's role each sign (approve) with an
    opinion; the task stays open until the last one signs, then the case moves on. A return or
    rejection by any of them ends the countersign as on any step (the task is done; a step
    reopened later starts with no signatures)."""

    key = "countersign"
    opinion_required = True
    action_labels = {"approve": "签署会签意见"}

    def open(self, opening: Opening) -> None:
        opening.open_task(to_role_only=True)  # never one person's desk: it needs several

    def on_approve(self, ctx: ActionContext) -> None:
        task, needed = ctx.task, ctx.step["signers"]
        signed = set(TaskSignature.objects.filter(task=task).values_list("signer_id", flat=True))
        if ctx.actor.pk in signed:
            raise Conflict("您已签署过本环节的会签意见，会签须由不同人员分别签署，请等待其他人员签署")
        TaskSignature.objects.create(task=task, signer=ctx.actor, opinion=ctx.opinion, signed_at=ctx.now)
        count = len(signed) + 1
        if count < needed:
            caselog.append(ctx.case, kind="countersigned", actor=ctx.actor, actor_role=task.role,
                           step_key=task.step_key, task=task, opinion=ctx.opinion,
                           summary=f"“{task.step_name}”：签署会签意见（已签{count}人，尚需{needed - count}人）",
                           data={"action": "approve", "signed": count, "signers": needed})
            return
        ctx.finish("approve", f"“{task.step_name}”：签署会签意见（{needed}人均已签署，会签完成）")
        ctx.advance()

    def desk(self, task: Task, step: dict, user) -> dict:
        signatures = list(task.signatures.select_related("signer"))
        needed = step["signers"]
        mine = any(s.signer_id == user.pk for s in signatures)
        return {"countersign": {"signatures": signatures, "needed": needed,
                                "remaining": max(needed - len(signatures), 0), "signed_by_me": mine},
                "withheld": ["approve"] if mine else []}


class SpecialProcedure(StepBehaviour):
    """特殊程序 as a step of the workflow: opening it stops the clock from its opening day and tells
    the applicant how long (特别程序告知书); approving it records the result and the end date the
    officer gives (default today) and restarts the clock."""

    key = "special_procedure"
    opinion_required = True
    stops_clock = True
    works_while_suspended = True
    action_labels = {"approve": "特别程序结束，继续办理"}  # approving here ends the procedure (with its end date)

    def open(self, opening: Opening) -> None:
        task = opening.open_task()
        step = opening.step
        start_pause(opening.case, task=task, procedure=step["procedure"], expected_days=step["expected_days"],
                    reason=step["name"], on=opening.today)

    def on_approve(self, ctx: ActionContext) -> None:
        ended_on = parse_day(ctx.params.get("ended_on"), "ended_on", default=ctx.today)
        ctx.finish("approve", f"“{ctx.task.step_name}”结束：{ctx.opinion}")
        end_pause(ctx.case, on=ended_on, result=ctx.opinion, actor=ctx.actor)
        ctx.advance()


class PublicNotice(StepBehaviour):
    """公示: opening it publishes the notice on the public hall for its period (``runtime.notices``),
    with its task on no one's desk meanwhile; anyone may object while it runs. The scheduler ends
    it after its last day: with no objection the case moves on by itself; with objections the
    task goes to the step's role, whose officer records how they were handled (an opinion) and
    approves (moves on), returns or rejects as the step allows."""

    key = "public_notice"
    opinion_required = True
    action_labels = {"approve": "异议已处理，继续办理"}

    def open(self, opening: Opening) -> None:
        notices.publish(opening)

    def period_ended(self, ctx: ActionContext) -> None:
        task = ctx.task
        if notices.close(ctx.case, task.public_notice, now=ctx.now) == 0:
            ctx.opinion = "公示期满，未收到异议"
            ctx.finish("approve", f"“{task.step_name}”期满，未收到异议，转入下一环节")
            ctx.advance()
            return
        # the objections are the step's role's to handle, from today, within the step's own limit
        task.state, task.opened_at, task.opened_on, task.paused_days = TaskState.OPEN, ctx.now, ctx.today, 0
        clock.task_due(task)
        rows.update(task, ["state", "opened_at", "opened_on", "paused_days", "due_on", "due_provisional"])
        ctx.moves.opened.append(task)
        caselog.append(ctx.case, kind="task_opened", step_key=task.step_key, task=task,
                       summary=f"“{task.step_name}”期满收到异议，转入公示异议处理（{task.department.name}）",
                       data={"due_on": task.due_on.isoformat(), "branch": task.branch})

    def on_approve(self, ctx: ActionContext) -> None:
        ctx.finish("approve", f"“{ctx.task.step_name}”：异议已处理，继续办理")
        ctx.advance()

    def desk(self, task: Task, step: dict, user) -> dict:
        notice = task.public_notice
        return {"notice": notice, "objections": list(notice.objections.all())}


class Complete(StepBehaviour):
    """办结: where a rejection goes; ``complete`` decides the case (the default)."""

    key = "complete"
    completion = True


class Deliver(StepBehaviour):
    """送达: worked after completion; ``complete`` delivers by the method chosen on the page."""

    key = "deliver"
    works_after_completion = True
    delivers = True
    action_labels = {"complete": "已送达"}

    def on_complete(self, ctx: ActionContext) -> None:
        ctx.finish("complete")
        ctx.complete_case()
        deliver_case(ctx.case, today=ctx.today, method=ctx.params.get("method") or DELIVERY_METHODS[0],
                     actor=ctx.actor)
        ctx.advance()

    def desk(self, task: Task, step: dict, user) -> dict:
        return {"delivery_methods": DELIVERY_METHODS}


class ParallelBranch(StepBehaviour):
    """并联分支: opens every branch whose transition holds, each with its branch path."""

    key = "parallel_branch"

    def open(self, opening: Opening) -> None:
        caselog.append(opening.case, kind="parallel_split", summary=f"并联审批“{opening.step['name']}”开始",
                       step_key=opening.key)
        opening.follow(every=True, branch=f"{opening.branch}/{opening.key}" if opening.branch else opening.key)


class ParallelJoin(StepBehaviour):
    """并联汇合: passes only when no open task of its region remains."""

    key = "parallel_join"

    def open(self, opening: Opening) -> None:
        branch = opening.branch
        still_open = Task.objects.filter(case=opening.case, state__in=ACTIVE_TASK_STATES)
        if any(t.branch == branch or t.branch.startswith(branch + "/") for t in still_open):
            return  # wait for the other branches
        caselog.append(opening.case, kind="parallel_join", summary=f"并联审批各分支均已办结，汇合于“{opening.step['name']}”",
                       step_key=opening.key)
        opening.follow(branch=branch.rsplit("/", 1)[0] if "/" in branch else "")


BEHAVIOURS = [Receive, Accept, Handle, Review, Approve, Countersign, SpecialProcedure, PublicNotice, Complete, Deliver,
              ParallelBranch, ParallelJoin]


def register_step_behaviours() -> None:
    for behaviour in BEHAVIOURS:
        step_behaviours.register(behaviour.key, behaviour())
