"""联审监督 (joint-approval oversight): who holds a case approved in parallel by several
departments, for how long, and whether the departments started together.

A **branch** is one task of a parallel region (a task whose ``branch`` path the runtime set when a
``parallel_branch`` step opened it); a **joint case** is a case whose branch tasks lie in at least
two departments. A branch's **days held** are the working days after it opened up to and including
today (or the day it was done), less its paused days — the step facts' ``used_days``. Its **share**
of the limit (docs/supervision.md, 联审监督):

* the step's own limit (``limit_days`` > 0), else
* the parallel stage's limit (the ``limit_days`` of the ``parallel_branch`` step that opened the
  region) divided equally among the person-performed steps of the lane the step is on (the steps
  from the split's transition up to the join), rounded up; else none (not judged).

A branch is **waited for** when another department's branch of the same region is done and that
department has nothing left open in the region: the others have finished and wait.

The sweep judges ``JointBranchOverrun`` (registered in ``kinds.rule_kinds``) set-based, like every
other kind; the pages read ``holding_branches`` and ``case_branches``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Case as When_
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from rules import Variable

from .kinds import RuleGroup, RuleKind
from .models import Level, Subject
from .workday_index import working_days_since

JOINT_KIND = "joint_branch_overrun"
RUNNING = "in_progress"  # a branch is judged while its case's clock runs (not paused, not awaiting correction)


# --- shares of the limit, from the definitions ------------------------------------------------

def _step_type(step: dict):
    from designer.steps import step_types

    return step_types.get(step["type"]) if step["type"] in step_types else None


def lanes(workflow: dict, split_key: str) -> list[list[str]]:
    """The person-performed steps of each lane of a split, in order: from each of its transitions
    up to the join (a nested split's own region is not part of the outer lane)."""
    steps = {s["key"]: s for s in workflow["steps"]}
    out = []
    for transition in steps[split_key]["transitions"]:
        lane, seen, todo = [], set(), [transition["to"]]
        while todo:
            key = todo.pop(0)
            if key in seen or key not in steps:
                continue
            seen.add(key)
            kind = _step_type(steps[key])
            if kind is not None and kind.parallel:
                continue  # the join ends the lane; a nested split is its own region
            if kind is None or kind.performed_by_person:
                lane.append(key)
            todo.extend(t["to"] for t in steps[key]["transitions"])
        out.append(lane)
    return out


def stage_shares(workflow: dict) -> dict[str, int]:
    """Step key → its share of the parallel stage's limit, for the lane steps without a limit of
    their own in a region whose split declares one."""
    shares = {}
    for step in workflow["steps"]:
        kind = _step_type(step)
        stage_limit = step.get("limit_days") or 0
        if kind is None or kind.parallel != "branch" or stage_limit <= 0:
            continue
        for lane in lanes(workflow, step["key"]):
            for key in lane:
                shares[key] = math.ceil(stage_limit / len(lane))
    own = {s["key"] for s in workflow["steps"] if (s.get("limit_days") or 0) > 0}
    return {key: days for key, days in shares.items() if key not in own}


def _shares_by_unit(versions) -> dict[tuple[int, str], dict[str, int]]:
    """(version id, unit code) → ``stage_shares`` of its workflow, for the versions given."""
    from designer.models import ItemVersion
    from designer.selectors import applicable_units

    out = {}
    for version in ItemVersion.objects.filter(pk__in=versions).only("pk", "document"):
        try:
            units = applicable_units(version.document)
        except (KeyError, TypeError):
            continue  # an unreadable definition: its steps keep only their own limits
        for unit in units:
            shares = stage_shares(unit.workflow)
            if shares:
                out[(version.pk, unit.code)] = shares
    return out


def share_expr(versions):
    """The branch's share, as a database expression over a task row: its own limit, else the
    stage share of its (version, unit, step), else null."""
    whens = [When(limit_days__gt=0, then=F("limit_days"))]
    for (version, unit), shares in _shares_by_unit(versions).items():
        whens += [When(case__version_id=version, case__unit_code=unit, step_key=key, then=Value(days))
                  for key, days in shares.items()]
    return When_(*whens, default=Value(None), output_field=IntegerField())


def share_of(task, shares: dict[str, int]) -> int | None:
    """The same share in Python, for one task (``shares``: its workflow's ``stage_shares``)."""
    return task.limit_days if task.limit_days > 0 else shares.get(task.step_key)


# --- the branch rows, set-based ----------------------------------------------------------------

def _task_model():
    from runtime.models import Task

    return Task


def _joint():
    """Another department has a branch task in the same case."""
    return Exists(_task_model().objects.filter(case_id=OuterRef("case_id")).exclude(branch="")
                  .exclude(department_id=OuterRef("department_id")))


def _finished_siblings():
    """Done branch tasks of the same region in another department that has nothing left open in it."""
    from runtime.models import ACTIVE_TASK_STATES, TaskState

    tasks = _task_model().objects
    still_open = tasks.filter(case_id=OuterRef("case_id"), branch=OuterRef("branch"),
                              department_id=OuterRef("department_id"), state__in=ACTIVE_TASK_STATES)
    return (tasks.filter(case_id=OuterRef("case_id"), branch=OuterRef("branch"), state=TaskState.DONE)
            .exclude(department_id=OuterRef("department_id")).exclude(Exists(still_open)))


def branch_tasks(today: dt.date, *, versions=None):
    """Every branch task, annotated: ``sv_held`` (days held, to today), ``sv_share``,
    ``sv_over_share`` (held − share), ``sv_joint``, ``sv_waited`` and ``sv_waited_since`` (when
    the last other department finished). ``versions``: those whose stage shares to read (default:
    every version some case is pinned to)."""
    from .kinds import versions_in_use

    held = ExpressionWrapper(working_days_since("opened_on", today) - F("paused_days"), output_field=IntegerField())
    finished = _finished_siblings()
    return (_task_model().objects.exclude(branch="")
            .annotate(sv_held=held, sv_share=share_expr(versions_in_use() if versions is None else versions))
            .annotate(sv_over_share=ExpressionWrapper(F("sv_held") - F("sv_share"), output_field=IntegerField()),
                      sv_joint=_joint(), sv_waited=Exists(finished),
                      sv_waited_since=Subquery(finished.order_by().values("case_id")
                                               .annotate(last=Max("completed_at")).values("last")[:1])))


def _holding() -> Q:
    """A branch on a desk now, in a running joint case."""
    return Q(state="open", case__state=RUNNING, sv_joint=True)


class JointBranchOverrun(RuleKind):
    """A branch of a joint case held past its share of the limit (level 异常: it is the department's
    conduct towards the others, counted on its own in the performance evaluation, not as a card).
    Resolves when the branch is done or cancelled, or its case's clock stops."""

    key = JOINT_KIND
    label = "联审分支超出时限份额"
    subject = Subject.TASK
    follows_case_changes = True  # its task, its case and their siblings in the same case
    variables = {"branch.days_over_share": Variable("branch.days_over_share", "number", "超出时限份额的工作日")}
    fields = {"branch.days_over_share": "sv_over_share"}

    def rows(self, today):
        return branch_tasks(today)

    def scope(self):
        return _holding()

    def groups(self, today):
        return [RuleGroup(Q(), {Level.ANOMALY: {">": [{"var": "branch.days_over_share"}, 0]}})]

    def department_expr(self):
        return Coalesce(F("department_id"), F("case__department_id"))


# --- what the pages show -------------------------------------------------------------------------

@dataclass
class HeldBranch:
    task: object
    held: int
    share: int | None
    waited_since: dt.datetime | None

    @property
    def over(self) -> int:
        return max(0, self.held - self.share) if self.share is not None else 0


@dataclass
class DepartmentDelays:
    department: object
    holding: int = 0  # joint cases it holds now
    delayed: list[HeldBranch] = field(default_factory=list)  # over its share, or waited for

    @property
    def over_share(self) -> int:
        return sum(1 for b in self.delayed if b.over)

    @property
    def waited_for(self) -> int:
        return sum(1 for b in self.delayed if b.waited_since)


def holding_branches(today: dt.date) -> list[DepartmentDelays]:
    """Per department holding a branch of a running joint case now: how many it holds, and the
    branches by which it delays the case (over its share, or the others waiting), longest held
    first. Departments with delays come first."""
    by_department: dict[int, DepartmentDelays] = {}
    rows = (branch_tasks(today).filter(_holding(), department__isnull=False)
            .select_related("department", "case").order_by("-sv_held", "case_id"))
    for task in rows:
        entry = by_department.setdefault(task.department_id, DepartmentDelays(task.department))
        entry.holding += 1
        branch = HeldBranch(task, task.sv_held, task.sv_share, task.sv_waited_since)
        if branch.over or task.sv_waited:
            entry.delayed.append(branch)
    return sorted(by_department.values(), key=lambda d: (-len(d.delayed), -d.holding, d.department.code))


@dataclass
class CaseBranch:
    task: object
    held: int
    share: int | None
    ended_on: dt.date | None
    waited_for: bool = False
    started_late_by: int = 0  # working days after the earliest sibling's start
    restarted: bool = False  # opened again (a return within the branch)

    @property
    def over(self) -> int:
        return max(0, self.held - self.share) if self.share is not None else 0


@dataclass
class JointPanel:
    branches: list[CaseBranch]
    waited_for: list[str]  # the departments the others wait for
    together: bool  # the lanes of every region started on the same day


def case_branches(case, today: dt.date) -> JointPanel | None:
    """The case's branches (cancelled ones left out) for its supervision page; None unless it is a
    joint case."""
    from django.utils import timezone

    from designer.selectors import unit_of
    from runtime.models import ACTIVE_TASK_STATES, TaskState
    from workdays import working_days_between

    tasks = [t for t in case.tasks.exclude(branch="").exclude(state=TaskState.CANCELLED)
             .select_related("department").order_by("opened_at", "pk")]
    if len({t.department_id for t in tasks}) < 2:
        return None
    try:
        workflow = unit_of(case.version.document, case.unit_code).workflow
    except KeyError:
        workflow = {"steps": []}
    shares = stage_shares(workflow)
    steps = {s["key"]: s for s in workflow["steps"]}
    out, open_by_unit = [], {}
    for t in tasks:
        ended = timezone.localdate(t.completed_at) if t.completed_at else None
        held = working_days_between(t.opened_on, ended or today).value - t.paused_days
        out.append(CaseBranch(t, max(0, held), share_of(t, shares), ended))
        if t.state in ACTIVE_TASK_STATES:
            open_by_unit.setdefault(t.branch, set()).add(t.department_id)
    for b in out:
        t = b.task
        others_done = {o.task.department_id for o in out if o.task.branch == t.branch and o.task.state == TaskState.DONE
                       and o.task.department_id != t.department_id}
        b.waited_for = (t.state == TaskState.OPEN and case.state == RUNNING
                        and bool(others_done - open_by_unit.get(t.branch, set())))
    together = True
    for region in {t.branch for t in tasks}:
        split = steps.get(region.rsplit("/", 1)[-1], {"transitions": []})
        firsts = {tr["to"] for tr in split["transitions"]}
        starts: dict[str, CaseBranch] = {}
        for b in out:
            if b.task.branch == region and b.task.step_key in firsts:
                if b.task.step_key in starts:
                    b.restarted = True
                starts[b.task.step_key] = b  # the latest opening of each lane
        if not starts:
            continue
        earliest = min(b.task.opened_on for b in starts.values())
        for b in starts.values():
            b.started_late_by = working_days_between(earliest, b.task.opened_on).value
            if b.started_late_by and not b.restarted:
                together = False
    waited = sorted({b.task.department.name for b in out if b.waited_for})
    return JointPanel(out, waited, together)
