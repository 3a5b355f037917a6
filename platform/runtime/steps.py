"""What a step *does* when a case runs, one :class:`StepBehaviour` per step type key.

The designer says what a step *is* (``designer.steps``: its palette entry, actions, settings);
this registry says what the engine does with it: what opening it does, what ``approve`` and
``complete`` mean on it, whether every action needs a signed opinion, whether its decision is
the acceptance decision, whether it may be worked while the clock stands or after completion.
The entries live in :mod:`runtime.behaviours` and are registered in ``RuntimeConfig.ready``;
this module imports nothing of the engine, so the engine, the actions and supervision can all
ask it. Everything else asks by property (:func:`keys_where`, :func:`behaviour_of`), never by a
step type's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from core.registry import Registry

if TYPE_CHECKING:
    from .actions import ActionContext
    from .engine import Opening
    from .models import Task


class StepBehaviour:
    """The default: a step a person performs, one task for its role; ``approve`` forwards and
    ``complete`` decides the case (办结). Subclasses override what differs."""

    key: ClassVar[str]
    # Every action on it is a signed opinion (逐级把关), not only the reasoned ones.
    opinion_required: ClassVar[bool] = False
    # Its decision is the acceptance decision: reject = 不予受理, a correction before acceptance
    # counts as the one-time notice, and an unanswered one is deemed accepted.
    intake: ClassVar[bool] = False
    # Approving it accepts the case (受理: the clock starts); a workflow without such a step
    # accepts on receipt. Supervision's pre-review clock and acceptance counts read it.
    accepts: ClassVar[bool] = False
    # Where a rejection (不予许可) goes; supervision's certificate clock times it.
    completion: ClassVar[bool] = False
    # Its opening stops the clock and approving it restarts it (the pause is the step's, so the
    # separate "end special procedure" form is not offered for it).
    stops_clock: ClassVar[bool] = False
    # May be worked while a special procedure stops the clock, or after the case is completed.
    works_while_suspended: ClassVar[bool] = False
    works_after_completion: ClassVar[bool] = False
    # The case page asks for the delivery method (送达方式) with its ``complete`` action.
    delivers: ClassVar[bool] = False
    # What an action does on this step, where it differs from the action's own label
    # (``designer.steps.ACTIONS``): the case page's buttons and the progress table say this.
    action_labels: ClassVar[dict[str, str]] = {}

    def open(self, opening: Opening) -> None:
        """Opening the step: one task for its role (or back on the desk of ``assignee``)."""
        opening.open_task()

    def on_approve(self, ctx: ActionContext) -> None:
        ctx.finish("approve")
        ctx.advance()

    def on_complete(self, ctx: ActionContext) -> None:
        ctx.finish("complete")
        ctx.complete_case()
        ctx.advance()

    def period_ended(self, ctx: ActionContext) -> None:
        """The end of a period its opening began, as the scheduler reports it (a public notice's,
        ``services.notices_close``; no actor, no opinion). Only steps that begin one receive it."""
        raise NotImplementedError(f"“{self.key}”步骤没有由系统结束的期间")

    def desk(self, task: Task, step: dict, user) -> dict:
        """What the case page shows about an open task of this step to ``user`` (template context
        under ``t.desk``; ``withheld``: action keys not offered to this person now)."""
        return {}

    def action_label(self, action) -> str:
        return self.action_labels.get(action.key, action.label)

    def label_of(self, key: str, default: str) -> str:
        """What the action ``key`` did on this step (``default``: the action's own label)."""
        return self.action_labels.get(key, default)


step_behaviours: Registry[StepBehaviour] = Registry("流程步骤行为")


def behaviour_of(step_type: str) -> StepBehaviour:
    return step_behaviours.get(step_type)


def keys_where(**flags: bool) -> list[str]:
    """The step type keys whose behaviour has every given property, e.g.
    ``keys_where(opinion_required=True)``, for queries such as ``step_type__in=…``."""
    for name in flags:
        if not hasattr(StepBehaviour, name):
            raise AttributeError(f"步骤行为没有属性“{name}”")
    return sorted(key for key, behaviour in step_behaviours.items()
                  if all(getattr(behaviour, name) == value for name, value in flags.items()))
