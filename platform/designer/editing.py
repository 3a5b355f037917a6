"""Pure edits of a definition document that the designer's pages make before saving.

Nothing here validates or saves: the page applies an edit to a copy of the working definition
and hands the whole document to ``services.item_update``, which validates it and refuses it
whole. See docs/designer.md.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitRef:
    """Where a page edits materials and a workflow: the item itself or one of its stages."""

    code: str  # "" for the item, else the stage's two digits
    label: str
    path: str  # JSON path of the unit in the definition, for problem messages

    def get(self, doc: dict) -> dict:
        """The unit's dict inside ``doc`` (the item itself, or the stage), to read or change in place."""
        if not self.code:
            return doc
        return next(s for s in doc["stages"] if s["code"] == self.code)


def units(doc: dict) -> list[UnitRef]:
    """The units whose materials and workflow can be edited: the item, or (when it is split into
    stages) each stage — a staged item's own materials and workflow stay empty."""
    if not doc["stages"]:
        return [UnitRef("", "事项本身", "$")]
    return [UnitRef(s["code"], f"阶段{s['code']} {s['name']}", f"$.stages[{i}]") for i, s in enumerate(doc["stages"])]


def unit_for(doc: dict, code: str | None) -> UnitRef | None:
    """The unit named by ``code`` (``?unit=`` of the page); the first unit when none is given;
    ``None`` when there is no such unit."""
    available = units(doc)
    if not code:
        return available[0]
    return next((unit for unit in available if unit.code == code), None)


# --- Form -----------------------------------------------------------------------------------

def form_duplicate_field(form: dict, key: str) -> str:
    """Copy a field right after itself, in place: the same type, checks, help and visibility, the
    title marked （副本）, a new key generated from that title. Returns the new key."""
    from .identifiers import identifier_from_title

    properties = form["schema"]["properties"]
    prop = copy.deepcopy(properties[key])
    prop["title"] = f"{prop.get('title', key)}（副本）"
    new = identifier_from_title(prop["title"], set(properties))
    properties[new] = prop
    if key in form["schema"].get("required", []):
        form["schema"]["required"].append(new)
    order = form["ui_schema"]["order"]
    order.insert(order.index(key) + 1 if key in order else len(order), new)
    if key in form["ui_schema"]["fields"]:
        form["ui_schema"]["fields"][new] = copy.deepcopy(form["ui_schema"]["fields"][key])
    return new


def form_move_field(form: dict, key: str, *, before: str) -> bool:
    """Move the field ``key`` just before the field ``before`` ("" or unknown: to the end) in the
    UI schema's order (already complete). False when ``key`` is not a field or nothing moves."""
    order = form["ui_schema"]["order"]
    if key not in order or key == before:
        return False
    moved = [k for k in order if k != key]
    moved.insert(moved.index(before) if before in moved else len(moved), key)
    if moved == order:
        return False
    form["ui_schema"]["order"] = moved
    return True


def _column_order(form: dict, table: str) -> list[str]:
    """The table's columns in display order (the UI schema's ``columns``, then the rest), made
    complete in the UI schema so a move or an addition has every column to place."""
    columns = form["schema"]["properties"][table]["items"]["properties"]
    ui = form["ui_schema"]["fields"].setdefault(table, {})
    known = [c for c in ui.get("columns", []) if c in columns]
    ui["columns"] = known + [c for c in columns if c not in known]
    return ui["columns"]


def form_add_table_column(form: dict, table: str, *, key: str, prop: dict, required: bool) -> None:
    """Add a column (a plain palette property) at the end of a repeating table, in place."""
    order = _column_order(form, table)
    items = form["schema"]["properties"][table]["items"]
    items["properties"][key] = prop
    order.append(key)
    if required:
        items.setdefault("required", []).append(key)


def form_move_table_column(form: dict, table: str, column: str, *, offset: int) -> bool:
    """Move a column of a repeating table ``offset`` places (-1: left, 1: right) in the UI
    schema's ``columns``, in place. False when it cannot move (first, last or unknown)."""
    order = _column_order(form, table)
    if column not in order or not 0 <= order.index(column) + offset < len(order):
        return False
    i = order.index(column)
    order[i], order[i + offset] = order[i + offset], order[i]
    return True


def form_retype_property(prop: dict, kind: str) -> dict:
    """``prop`` as a field of the palette type ``kind``: the title and the choices (between a
    single and a multiple choice) are kept; the old type's checks, which may not fit, are not."""
    from .palette import field_types

    if prop.get("x-field") == kind:
        return prop
    retyped = field_types.get(kind).make(title=prop.get("title", ""))
    choices = prop.get("enum") or (prop.get("items") or {}).get("enum")
    if kind == "choice" and choices:
        retyped["enum"] = list(choices)
    elif kind == "multi_choice" and choices:
        retyped["items"] = {"type": "string", "enum": list(choices)}
    return retyped


def form_remove_table_column(form: dict, table: str, column: str) -> None:
    """Remove one column of a repeating table, in place: its schema, its required mark and its
    place in the column order. A rule still naming it is refused when the definition is saved."""
    items = form["schema"]["properties"][table]["items"]
    items["properties"].pop(column, None)
    if "required" in items:
        items["required"] = [r for r in items["required"] if r != column]
    ui = form["ui_schema"]["fields"].get(table)
    if ui and "columns" in ui:
        ui["columns"] = [c for c in ui["columns"] if c != column]


# --- Steps ----------------------------------------------------------------------------------

def workflow_put_step(workflow: dict, *, step: dict, original_key: str | None = None, after: str | None = None,
                      is_start: bool = False) -> dict:
    """A copy of ``workflow`` with ``step`` added (``original_key`` None) or replacing the step
    ``original_key``.

    A renamed step keeps its place: transitions, returns and the start that named the old key
    name the new one. A new step inserted ``after`` a step takes over that step's transitions
    when it has none of its own, and that step then goes to the new one.
    """
    workflow = copy.deepcopy(workflow)
    steps = workflow["steps"]
    new_key = step["key"]
    if original_key is None:
        steps.append(step)
        if after:
            previous = next((s for s in steps if s["key"] == after), None)
            if previous is not None:
                if not step["transitions"]:
                    step["transitions"] = previous["transitions"]
                previous["transitions"] = [{"to": new_key}]
    else:
        index = next(i for i, s in enumerate(steps) if s["key"] == original_key)
        steps[index] = step
        if new_key != original_key:
            _rename(workflow, original_key, new_key)
    if is_start:
        workflow["start"] = new_key
    return workflow


def _rename(workflow: dict, old: str, new: str) -> None:
    if workflow["start"] == old:
        workflow["start"] = new
    for other in workflow["steps"]:
        for transition in other["transitions"]:
            if transition["to"] == old:
                transition["to"] = new
        if "return_to" in other:
            other["return_to"] = [new if k == old else k for k in other["return_to"]]


def workflow_remove_step(workflow: dict, key: str) -> dict:
    """A copy of ``workflow`` without the step ``key``.

    A step with one unconditional way on is bridged: the steps that went to it go on to its
    successor (and the start moves there). Returns to the removed step are dropped (and the
    return action with the last of them). Anything else that named the step is left for the
    validation to report, so nothing inconsistent is ever saved.
    """
    workflow = copy.deepcopy(workflow)
    removed = next((s for s in workflow["steps"] if s["key"] == key), None)
    if removed is None:
        return workflow
    workflow["steps"] = [s for s in workflow["steps"] if s["key"] != key]
    onward = removed["transitions"]
    successor = onward[0]["to"] if len(onward) == 1 and "when" not in onward[0] else None
    if successor is not None:
        if workflow["start"] == key:
            workflow["start"] = successor
        for other in workflow["steps"]:
            for transition in other["transitions"]:
                if transition["to"] == key:
                    transition["to"] = successor
            # two ways to the same step collapse into one
            seen, kept = set(), []
            for transition in other["transitions"]:
                marker = (transition["to"], repr(transition.get("when")))
                if marker not in seen:
                    seen.add(marker)
                    kept.append(transition)
            other["transitions"] = kept
    for other in workflow["steps"]:
        if key in other.get("return_to", []):
            other["return_to"] = [k for k in other["return_to"] if k != key]
            if not other["return_to"]:
                del other["return_to"]
                other["actions"] = [a for a in other.get("actions", []) if a != "return"]
    return workflow


def workflow_insert_parallel(workflow: dict, *, after: str, departments: list[tuple[str, str]],
                             role: str = "section_chief", limit_days: int = 5) -> dict:
    """A copy of ``workflow`` with a parallel branch inserted after the step ``after``: a
    并联分支 step, one 承办 step per department (``(code, name)``), and a 并联汇合 step that
    takes over ``after``'s transitions, so the lanes join where ``after`` used to go on."""
    from .identifiers import identifier_from_title

    workflow = copy.deepcopy(workflow)
    steps = workflow["steps"]
    previous = next(s for s in steps if s["key"] == after)
    taken = {s["key"] for s in steps}

    def key_for(title: str) -> str:
        key = identifier_from_title(title, taken, fallback="step")
        taken.add(key)
        return key

    branch_key, join_key = key_for("并联审查"), key_for("并联汇合")
    lanes = [{"key": key_for(f"{name}审查"), "type": "review", "name": f"{name}审查"[:50], "role": role,
              "department": code, "limit_days": limit_days, "actions": ["approve", "reject"],
              "transitions": [{"to": join_key}]} for code, name in departments]
    steps.extend([{"key": branch_key, "type": "parallel_branch", "name": "并联审查",
                   "transitions": [{"to": lane["key"], "label": lane["name"]} for lane in lanes]},
                  *lanes,
                  {"key": join_key, "type": "parallel_join", "name": "并联汇合", "transitions": previous["transitions"]}])
    previous["transitions"] = [{"to": branch_key}]
    return workflow


# --- Stages ---------------------------------------------------------------------------------

STAGE_FACTS = ("name", "legal_basis", "statutory_limit_days", "promised_limit_days", "fees")


def _set_certificate_action(stage: dict, facts: dict) -> None:
    """The stage's ``certificate_action`` from the editor's fields (``certificate_operation``,
    ``window_opens``, ``window_closes``): a window only when both ends are given; ``issue``
    without a window is the default and is left out."""
    if "certificate_operation" not in facts:
        return
    action = {"operation": facts["certificate_operation"] or "issue"}
    opens, closes = facts.get("window_opens"), facts.get("window_closes")
    if opens is not None and closes is not None:
        action["window"] = {"opens_days_before_expiry": opens, "closes_days_before_expiry": closes}
    if action == {"operation": "issue"}:
        stage.pop("certificate_action", None)
    else:
        stage["certificate_action"] = action


def stage_add(doc: dict, *, facts: dict, copy_from: str | None = None, first_name: str = "设立"
              ) -> tuple[dict, str]:
    """A copy of ``doc`` with a new stage (the next free two-digit code), and that code.

    The new stage starts with a copy of the materials, workflow and (when it has one) own form of
    the stage ``copy_from`` (the first stage when not given). An item not yet split becomes stage 01 first: the item's
    own materials, workflow, limits, legal basis and fees move into it, and the item keeps none
    (as the validation requires of a staged item)."""
    doc = copy.deepcopy(doc)
    if not doc["stages"]:
        doc["stages"] = [{"code": "01", "name": first_name, "legal_basis": doc["public"]["legal_basis"],
                          "materials": doc["materials"], "workflow": doc["workflow"],
                          "statutory_limit_days": doc["statutory_limit_days"],
                          "promised_limit_days": doc["promised_limit_days"], "fees": doc["public"]["fees"]}]
        doc["materials"], doc["workflow"] = [], None
    source = next((s for s in doc["stages"] if s["code"] == copy_from), doc["stages"][0])
    used = {int(s["code"]) for s in doc["stages"]}
    code = f"{next(n for n in range(1, 100) if n not in used):02d}"
    stage = {"code": code, **{k: facts[k] for k in STAGE_FACTS},
             "materials": copy.deepcopy(source["materials"]), "workflow": copy.deepcopy(source["workflow"])}
    if "form" in source:  # its materials' conditions and workflow rules read that form's fields
        stage["form"] = copy.deepcopy(source["form"])
    _set_certificate_action(stage, facts)
    doc["stages"].append(stage)
    return doc, code


def stage_update(doc: dict, code: str, *, facts: dict) -> dict:
    """A copy of ``doc`` with the stage's name, legal basis, limits and fees replaced (its code
    never changes: cases and the catalogue address the stage by it)."""
    doc = copy.deepcopy(doc)
    stage = next(s for s in doc["stages"] if s["code"] == code)
    stage.update({k: facts[k] for k in STAGE_FACTS})
    _set_certificate_action(stage, facts)
    return doc


def stage_remove(doc: dict, code: str) -> dict:
    """A copy of ``doc`` without the stage. Removing the last stage makes the item unstaged
    again: that stage's materials and workflow (and its own form, if it has one) become the item's."""
    doc = copy.deepcopy(doc)
    removed = next(s for s in doc["stages"] if s["code"] == code)
    doc["stages"] = [s for s in doc["stages"] if s["code"] != code]
    if not doc["stages"]:
        doc["materials"], doc["workflow"] = removed["materials"], removed["workflow"]
        if "form" in removed:
            doc["form"] = removed["form"]
    return doc
