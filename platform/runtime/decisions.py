"""Officers' recorded decisions (决定事项) as people read them, and the step that decided a case.

A step's ``decision_form`` is a small form of its own; the officer fills it with the opinion and
the answers are kept with the task (``Task.decision``) and in the log entry. Rules read them as
``decision.<step_key>.<field>`` (:mod:`runtime.rule_data`); pages and documents show them with the
form's titles, never the raw keys (:func:`titled`).
"""

from __future__ import annotations

from django.db import router

from . import form_values, rows
from .definitions import Definition
from .models import Case, Task, TaskState
from .rule_data import decisions_of
from .steps import behaviour_of

# The actions by which a step decides on the application (as opposed to completing the case).
DECIDING_ACTIONS = ("approve", "reject")


def titled(form: dict | None, decision: dict | None) -> list[tuple[str, str]]:
    """``[(title, shown value)]`` of a recorded decision, in the form's order."""
    return form_values.rows(form, decision)


def decision_lines(case: Case, defn: Definition) -> list[str]:
    """Every recorded decision of the case as "step · title: value" lines (for the decision letter)."""
    lines = []
    for key, decision in decisions_of(case, defn).items():
        step = defn.steps.get(key)
        if step is None:
            continue
        lines += [f"{step['name']}·{title}：{value}" for title, value in titled(step.get("decision_form"), decision)]
    return lines


# Compiled once (rows.Prepared): every completion asks.
_DECIDED = rows.Prepared(lambda case_id: Task.objects.filter(case_id=case_id, state=TaskState.DONE,
                                                             action__in=DECIDING_ACTIONS)
                         .order_by("-completed_at", "-pk"))


def deciding_task(case: Case, *, current: Task | None = None) -> Task | None:
    """The task whose opinion the decision letter quotes: the last one completed with approve or
    reject, the acceptance decision excepted (the leader's 批准, or the officer's 不予许可).
    ``current``: the task the action in progress completes, taken as it is in memory (its UPDATE
    may still be held back, ``rows.writes_together``); no other task of the action becomes done,
    so the read needs none of the held writes and carries them."""
    done = _DECIDED.all(case.pk, alias=router.db_for_read(Task), before_held=current is not None)
    if current is not None:
        done = [task for task in done if task.pk != current.pk]
        if current.state == TaskState.DONE and current.action in DECIDING_ACTIONS:
            done.append(current)
            # the query's order (-completed_at, -pk); a row without a time sorts first, as on PostgreSQL
            done.sort(key=lambda task: (task.completed_at is None, task.completed_at or current.completed_at,
                                        task.pk), reverse=True)
    return next((task for task in done if not behaviour_of(task.step_type).intake), None)


def decisions_by_step(case: Case, defn: Definition) -> list[tuple[str, list[form_values.Field]]]:
    """``[(step name, fields)]``: each step's recorded decision as its form shows it, in the
    order the steps decided."""
    shown = []
    for key, decision in decisions_of(case, defn).items():
        step = defn.steps.get(key)
        if step is not None:
            shown.append((step["name"], form_values.fields(step.get("decision_form"), decision)))
    return shown
