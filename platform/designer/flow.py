"""A workflow laid out as a vertical flow (the DingTalk/Feishu approval style): steps one under
the other, a step with several ways out opens a branch whose lanes stand side by side until
they meet again (the nearest step every lane reaches: a parallel branch's join, or the step a
condition branch's lanes all lead to). Returns are notes on the step, not arrows, so nothing
crosses. The workflow editor renders it with a "+" between steps; every other page that draws an item's
workflow (the public guide, the item overview) renders the same items read-only with the same
template (``designer/_flowchart.html``): one layout in the codebase, no script needed.

:func:`unit_flow` lays out a unit (the item, or a stage) in Chinese words: roles, departments,
limits and returns on each step, conditions as the condition builder describes them.

Problems from validation (``$.workflow.steps[3]…``, ``$.stages[0].workflow.steps[1]…``) are
attached to the step they concern by :func:`problems_by_step`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from accounts.models import Department, Role
from rules import builder as rule_builder

from .steps import ACTIONS, step_types

_STEP_PATH = re.compile(r"workflow\.steps\[(\d+)\]")


@dataclass
class FlowNode:
    key: str
    name: str
    type_label: str
    kind: str  # "step", "parallel", "end"
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    is_start: bool = False
    fill: str = "#ffffff"
    is_node: bool = True


@dataclass
class FlowLane:
    label: str
    condition: str
    items: list
    goes_to: str = ""  # a lane with no step of its own goes straight to this step
    department: str = ""  # a parallel lane's department, by name (its first step's)


@dataclass
class FlowBranch:
    kind: str  # "condition" or "parallel"
    owner: str
    lanes: list[FlowLane]
    is_node: bool = False


def problems_by_step(problems: dict, workflow: dict, *, unit_prefix: str = "$") -> dict[str, list[str]]:
    """The messages of ``problems`` that concern a step of ``workflow``, by step key."""
    steps = workflow.get("steps") or []
    found: dict[str, list[str]] = {}
    for path, messages in problems.items():
        if not path.startswith(unit_prefix + ".workflow"):
            continue
        match = _STEP_PATH.search(path)
        if match and int(match.group(1)) < len(steps):
            found.setdefault(steps[int(match.group(1))]["key"], []).extend(messages)
    return found


def flow_layout(workflow: dict, *, describe_step, describe_condition, describe_department=None,
                problems: dict | None = None) -> list:
    """The items of the flow from the start step: :class:`FlowNode` and :class:`FlowBranch`.
    ``describe_step(step)`` gives a node's detail lines, ``describe_condition(when)`` a
    condition in words, ``describe_department(step)`` a step's department by name (a parallel
    lane's title). Steps the start does not reach come last, so none is hidden."""
    steps = {s["key"]: s for s in workflow.get("steps", [])}
    forward = {k: [t["to"] for t in s.get("transitions", []) if t["to"] in steps] for k, s in steps.items()}
    problems = problems or {}
    placed: set[str] = set()

    def reach(start: str) -> list[str]:
        order, queue = [], [start]
        while queue:
            key = queue.pop(0)
            if key not in order:
                order.append(key)
                queue.extend(forward[key])
        return order

    def meeting_point(starts: list[str]) -> str | None:
        orders = [reach(s) for s in starts]
        every = [set(o) for o in orders]
        return next((k for k in orders[0] if all(k in s for s in every)), None)

    def node(step: dict) -> FlowNode:
        step_type = step_types.get(step["type"]) if step["type"] in step_types else None
        kind = ("parallel" if step_type and step_type.parallel else "end" if not step.get("transitions") else "step")
        # the type's own line (a special procedure's kind and days…) and colour, as in the flowchart
        own = [step_type.describe(step)] if step_type and step_type.note else []
        return FlowNode(key=step["key"], name=step["name"], type_label=step_type.label if step_type else step["type"],
                        kind=kind, lines=own + describe_step(step), problems=problems.get(step["key"], []),
                        is_start=step["key"] == workflow.get("start"),
                        fill=step_type.fill if step_type else "#ffffff")

    def walk(key: str | None, stop: str | None) -> list:
        items: list = []
        while key is not None and key != stop and key in steps and key not in placed:
            placed.add(key)
            step = steps[key]
            items.append(node(step))
            outs = [t for t in step.get("transitions", []) if t["to"] in steps]
            if len(outs) <= 1:
                key = outs[0]["to"] if outs else None
                continue
            meet = meeting_point([t["to"] for t in outs])
            step_type = step_types.get(step["type"]) if step["type"] in step_types else None
            lanes = []
            for t in outs:
                lane_items = walk(t["to"], meet)
                lanes.append(FlowLane(label=t.get("label", ""),
                                      condition=describe_condition(t["when"]) if "when" in t else "",
                                      items=lane_items,
                                      goes_to="" if lane_items else steps[t["to"]]["name"],
                                      department=describe_department(steps[t["to"]]) if describe_department else ""))
            items.append(FlowBranch(kind="parallel" if step_type and step_type.parallel == "branch" else "condition",
                                    owner=key, lanes=lanes))
            key = meet
        return items

    items = walk(workflow.get("start"), None)
    for key in steps:
        if key not in placed:
            items.extend(walk(key, None))
    return items


ROLE_LABELS = dict(Role.choices)


def step_words(step: dict, *, names: dict, variables: dict, departments: dict) -> dict:
    """A step in Chinese: names for step keys, types, roles and departments, and conditions in
    words (JSON only for a condition the builder cannot show)."""
    step_type = step_types.get(step["type"]) if step["type"] in step_types else None
    department = step.get("department")
    return {"key": step["key"], "name": step["name"], "type": step_type.label if step_type else step["type"],
            "role": ROLE_LABELS.get(step.get("role"), step.get("role") or ""),
            "department": departments.get(department, department) if department
            else ("本部门" if step_type and step_type.performed_by_person else ""),
            "limit_days": step.get("limit_days", ""),
            "actions": "、".join(ACTIONS.get(a, a) for a in step.get("actions", [])),
            "return_to": "、".join(names.get(k, k) for k in step.get("return_to", [])),
            "transitions": [(names.get(t["to"], t["to"]), t.get("label", ""), condition_words(t, variables))
                            for t in step["transitions"]]}


def condition_words(transition: dict, variables: dict, *, public: bool = False) -> str:
    """A transition's condition in words; a rule the builder cannot show as its JSON for editors,
    and for the public (applicants never read json-logic) as a plain phrase."""
    if "when" not in transition:
        return ""
    words = rule_builder.describe(transition["when"], variables)
    if words:
        return words
    return PUBLIC_COMPLEX_CONDITION if public else json.dumps(transition["when"], ensure_ascii=False)


PUBLIC_COMPLEX_CONDITION = "符合本事项规定的条件"


def unit_flow(doc: dict, unit: dict, *, problems: dict | None = None, unit_prefix: str = "$",
              workflow: dict | None = None, departments: dict | None = None, public: bool = False) -> list:
    """The workflow of ``unit`` (the item, or a stage: ``{"form"?, "workflow"}``) as flow items
    in words. ``workflow`` lays out another workflow of the unit (a refused draft, so the
    problems' indexes match); ``departments`` (code → name) saves a query when the caller has them;
    ``public``: for applicants (no JSON, even for a condition the builder cannot show)."""
    from .selectors import rule_builder_variables

    workflow = workflow if workflow is not None else unit["workflow"]
    steps = workflow.get("steps", [])
    names = {s["key"]: s["name"] for s in steps}
    if departments is None:
        departments = dict(Department.objects.values_list("code", "name"))
    # Every variable any rule of the unit may name, so every stored condition reads in words
    # (none to read without a condition: no value lists looked up).
    conditional = any("when" in t for s in steps for t in s.get("transitions", []))
    variables = {v["name"]: v for v in rule_builder_variables(doc, {**unit, "workflow": workflow},
                                                               every_decision=True)} if conditional else {}

    def lines(step: dict) -> list[str]:
        row = step_words(step, names=names, variables=variables, departments=departments)
        found = [" · ".join(x for x in (row["role"], row["department"]) if x)]
        if row["limit_days"] not in ("", 0):  # 0: a step outside the clock (a special procedure says its own days)
            found.append(f"时限{row['limit_days']}个工作日")
        if row["return_to"]:
            found.append(f"可退回到：{row['return_to']}")
        return [x for x in found if x]

    def department(step: dict) -> str:
        code = step.get("department")
        return departments.get(code, code) if code else ""

    return flow_layout(workflow, describe_step=lines,
                       describe_condition=lambda when: condition_words({"when": when}, variables, public=public),
                       describe_department=department,
                       problems=problems_by_step(problems or {}, workflow, unit_prefix=unit_prefix))


def flow_of_unit(doc: dict, unit, *, departments: dict | None = None, public: bool = False) -> list:
    """:func:`unit_flow` of a :class:`designer.selectors.Unit` (the guide's and overview's units)."""
    return unit_flow(doc, {"form": unit.form, "workflow": unit.workflow}, departments=departments, public=public)
