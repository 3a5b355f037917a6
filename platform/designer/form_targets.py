"""Which form the form builder page edits: the item's application form, a stage's own form, or
an officer's decision form on a workflow step. One builder serves all three (docs/designer.md,
*Form builder*); a decision form offers only plain fields (``FieldType.in_table``), as its
validation requires.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.http import urlencode

from .palette import METASCHEMA_URI


class NoSuchTarget(LookupError):
    """The query names a stage, unit or step the definition does not have."""


def empty_form() -> dict:
    """A form with no field yet (a decision form is stored only once it has one)."""
    return {"schema": {"$schema": METASCHEMA_URI, "type": "object", "additionalProperties": False,
                       "properties": {}, "required": []},
            "ui_schema": {"order": [], "fields": {}}}


@dataclass(frozen=True)
class FormTarget:
    """``?stage=<code>``: a stage's own form; ``?unit=<code>&decision=<step>``: that step's
    decision form (``unit`` empty for an item without stages); neither: the item's form."""

    stage: str = ""
    unit: str = ""
    step: str = ""

    @classmethod
    def from_query(cls, query) -> FormTarget:
        if query.get("decision"):
            return cls(unit=query.get("unit", ""), step=query["decision"])
        return cls(stage=query.get("stage", ""))

    @property
    def is_decision(self) -> bool:
        return bool(self.step)

    @property
    def key(self) -> str:
        """The key of the form inside its holder."""
        return "decision_form" if self.is_decision else "form"

    def query(self, **more) -> str:
        """This target's query string (with ``more``), starting with ``?``; empty for the item's form."""
        params = {"unit": self.unit, "decision": self.step} if self.is_decision else {"stage": self.stage}
        query = urlencode({k: v for k, v in {**params, **more}.items() if v})
        return f"?{query}" if query else ""

    def holder(self, doc: dict) -> dict:
        """The dict of ``doc`` that holds the form under :attr:`key`: the item, a stage or a step."""
        if self.is_decision:
            from .editing import unit_for

            unit = unit_for(doc, self.unit)
            if unit is None:
                raise NoSuchTarget("没有这个办理阶段")
            step = next((s for s in (unit.get(doc).get("workflow") or {}).get("steps", [])
                         if s["key"] == self.step), None)
            if step is None:
                raise NoSuchTarget("没有这个步骤")
            return step
        if not self.stage:
            return doc
        stage = next((s for s in doc["stages"] if s["code"] == self.stage), None)
        if stage is None:
            raise NoSuchTarget("没有这个办理阶段")
        return stage

    def form(self, doc: dict, *, create: bool = False) -> dict | None:
        """The edited form; ``None`` for a stage using the item's form. A step without a decision
        form yet has an empty one: a new one, or with ``create`` one put into ``doc`` to be edited
        (:meth:`settle` removes it again when it is left without fields)."""
        holder = self.holder(doc)
        if self.is_decision and self.key not in holder:
            return holder.setdefault(self.key, empty_form()) if create else empty_form()
        return holder.get(self.key)

    def settle(self, doc: dict) -> None:
        """After an edit: a decision form left without fields is removed (an empty form is not valid
        and says nothing)."""
        holder = self.holder(doc)
        if self.is_decision and not (holder.get(self.key) or {}).get("schema", {}).get("properties"):
            holder.pop(self.key, None)
