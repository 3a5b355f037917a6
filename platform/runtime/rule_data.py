"""The data every rule of a case is evaluated on, built in one place.

The designer validates a rule against the form's fields, the case facts (``rules.facts``) and the
decisions of the steps before it; the runtime evaluates it on exactly that data::

    {**form_data,                                   # the applicant's form, at the top level
     "case": {"channel": "online", …},              # the case facts (rules/facts.py), as of the action
     "decision": {"<step_key>": {"<field>": …}}}    # what officers recorded on steps' decision forms

Every evaluation of the runtime reads it: transitions and department rules through
:func:`rule_data`; field visibility and material conditions through :func:`case_context` at a
resubmission and, before the case exists, :func:`intake_context` at submission (the facts known
then — item, channel, applicant type, department, state, receipt date, time limit — the others are
null). Documents
take their decision fields from :func:`decisions_of`. Supervision compiles the stored facts to SQL
with :data:`FACT_COLUMNS`, the one fact → column mapping.

The step facts (``case.step``, ``case.step_due_on``, …) describe the task in hand: the one being
acted on when the caller passes it (a transition after a step is completed, a resubmission to the
waiting step), else the case's most recently opened task.
"""

from __future__ import annotations

import datetime as dt

from rules import facts_data
from rules.schema import DECISIONS, RESERVED
from workdays import working_days_between

from . import caselog, clock
from .definitions import Definition
from .models import UNJUDGED_PROCEDURES, Case, CaseState, Pause, Task, TaskState

# The stored facts as columns of Case (paths relative to a case row), for supervision's queries.
# The facts computed from the clock (working days used and left, …) have no column: they are
# computed here in Python, by runtime.clock, and in supervision by its working-day index.
FACT_COLUMNS = {
    "case.number": "number",
    "case.item": "item__code",
    "case.channel": "channel",
    "case.applicant_type": "applicant__kind",
    "case.department": "department__code",
    "case.state": "state",
    "case.received_on": "received_on",
    "case.accepted_on": "accepted_on",
    "case.due_on": "statutory_due_on",
    "case.corrections": "corrections_before_acceptance",
}


def intake_context(*, defn: Definition, channel: str, applicant, on: dt.date) -> dict:
    """The ``case`` and ``decision`` objects of an application not yet received: the facts known
    before the case exists; the others are null (no decisions yet)."""
    facts = _empty_facts()
    facts.update({"case.item": defn.document["code"], "case.channel": channel,
                  "case.applicant_type": getattr(applicant, "kind", None),
                  "case.department": defn.item_department_code, "case.state": CaseState.RECEIVED.value,
                  "case.received_on": on, "case.time_limit": defn.promised_limit_days, "case.suspended": False,
                  "case.extended": False, "case.corrections": 0})
    return {**facts_data(facts), DECISIONS: {}}


def case_context(case: Case, defn: Definition, *, task: Task | None = None) -> dict:
    """The ``case`` and ``decision`` objects of a case, as of the action in progress."""
    return {**facts_data(case_facts(case, defn, task=task)), DECISIONS: decisions_of(case, defn, task=task)}


def rule_data(case: Case, defn: Definition, *, task: Task | None = None) -> dict:
    """The whole rule data of a case: its form data and :func:`case_context`."""
    return {**case.form_data, **case_context(case, defn, task=task)}


def data_for(rule, case: Case, defn: Definition, *, task: Task | None = None) -> dict:
    """What ``rule`` is evaluated on: the form data alone when the rule cannot read a case fact or
    a decision (:func:`reads_case`; it then evaluates exactly as on :func:`rule_data`, which only
    adds those), else the whole rule data. Most conditions of a workflow read the form only, and
    the facts cost queries (the course so far) and the clock's arithmetic."""
    return rule_data(case, defn, task=task) if reads_case(rule) else case.form_data


_CONTEXT_HEADS = frozenset({RESERVED, DECISIONS})
_NAMING_OPS = frozenset({"var", "missing", "missing_some"})  # operations that read data by name
_READS: dict[int, tuple[object, bool]] = {}  # id(rule) → (rule, answer): rules of cached definitions


def reads_case(rule) -> bool:
    """Whether ``rule`` may read a case fact or a decision: it names ``case…`` or ``decision…``
    (or the whole data, ``""``) anywhere, or computes a name it reads. Errs towards yes."""
    hit = _READS.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit[1]
    answer = _reads_case(rule)
    if len(_READS) > 4096:
        _READS.clear()
    _READS[id(rule)] = (rule, answer)
    return answer


def _reads_case(node) -> bool:
    if isinstance(node, str):
        return node == "" or node.split(".", 1)[0] in _CONTEXT_HEADS
    if isinstance(node, list):
        return any(_reads_case(part) for part in node)
    if isinstance(node, dict):
        for op, args in node.items():
            if op in _NAMING_OPS:
                names = args if isinstance(args, list) else [args]
                if any(isinstance(name, dict | list) for name in names[:1] if op == "var") or (
                        op != "var" and any(isinstance(name, dict) for name in names)):
                    return True  # a computed name could be anything
            if _reads_case(args):
                return True
    return False


def case_facts(case: Case, defn: Definition, *, task: Task | None = None) -> dict:
    """``{"case.<fact>": value}`` for every fact of the catalogue, on the day of the action."""
    on = caselog.acting_at(case)
    from django.utils import timezone

    today = timezone.localdate(on)
    status = clock.status(case, today)
    accepted = case.accepted_on is not None
    facts = {
        "case.number": case.number, "case.item": defn.document["code"], "case.channel": case.channel,
        "case.applicant_type": case.applicant.kind, "case.department": case.department.code,
        "case.state": case.state, "case.received_on": case.received_on, "case.accepted_on": case.accepted_on,
        "case.due_on": case.statutory_due_on, "case.time_limit": case.promised_limit_days + case.extension_days,
        "case.working_days_used": status.used_days if accepted else None,
        "case.working_days_left": status.remaining_days if accepted else None,
        "case.suspended": case.paused_since is not None, "case.extended": case.extension_days > 0,
        "case.corrections": case.corrections_before_acceptance,
        **_history_facts(case),
    }
    task = task or _latest_task(case)
    if task is None:
        facts.update({"case.step": None, "case.step_due_on": None, "case.step_working_days_used": None,
                      "case.step_working_days_left": None})
    else:
        step = clock.step_status(task, case, today)
        facts.update({"case.step": task.step_key, "case.step_due_on": step.due_on,
                      "case.step_working_days_used": step.used_days,
                      "case.step_working_days_left": step.remaining_days})
    return facts


def _history_facts(case: Case) -> dict:
    """The facts of the case's course so far: returns made, steps done by someone, and the working
    days from the end of the last special procedure to completion (one query each, none for a
    case not yet stored or, for the last, not completed)."""
    if case.pk is None:
        return {"case.returns": 0, "case.steps_done": [], "case.days_after_special_procedure": None}
    returns, done = 0, []
    for key, action, completed_at in (Task.objects.filter(case=case, state=TaskState.DONE).order_by("opened_at", "pk")
                                      .values_list("step_key", "action", "completed_at")):
        returns += action == "return"
        if completed_at is not None and key not in done:
            done.append(key)
    after = None
    if case.completed_on is not None:
        ended = (Pause.objects.filter(case=case, ended_on__isnull=False).exclude(procedure__in=UNJUDGED_PROCEDURES)
                 .order_by("-ended_on").values_list("ended_on", flat=True).first())
        if ended is not None:
            after = working_days_between(ended, case.completed_on).value
    return {"case.returns": returns, "case.steps_done": done, "case.days_after_special_procedure": after}


def decisions_of(case: Case, defn: Definition, *, task: Task | None = None) -> dict:
    """``{step_key: {field: value}}``: the latest recorded decision of each step (a step done
    again after a return replaces its earlier answers). No query for items without decision forms."""
    if not defn.declares_decisions:
        return {}
    out: dict = {}
    done = (Task.objects.filter(case=case, state=TaskState.DONE).order_by("completed_at", "pk")
            .values_list("pk", "step_key", "decision"))
    for pk, key, decision in done:
        if decision and (task is None or pk != task.pk):
            out[key] = decision
    if task is not None and task.decision:
        out[task.step_key] = task.decision
    return out


def _latest_task(case: Case) -> Task | None:
    if case.pk is None:
        return None
    return (Task.objects.filter(case=case).exclude(state=TaskState.CANCELLED).order_by("-opened_at", "-pk")
            .first())


def _empty_facts() -> dict:
    from rules import case_facts as catalogue

    return dict.fromkeys(name for name, _ in catalogue.items())
