"""The runtime's one window onto the designer: everything it reads about a published item.

The engine never reads ``ItemVersion.document`` anywhere else, so when the designer's format or
reading API changes, this module is the one place to adapt. A :class:`Definition` is the frozen
unit (the item itself or one of its stages) a case is pinned to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from core.errors import InvalidInput
from designer.certificate_operations import DEFAULT_OPERATION, CertificateOperation, certificate_operations
from designer.models import ApprovalItem, CertificateType, ItemVersion
from designer.selectors import (
    applicable_units,
    approval_type_text,
    catalogue_themes,
    decision_validator_for_version,
    form_validator_for_version,
    items_in_service,
    public_catalogue,
    publicly_named,
    required_materials,
    theme_names,
)
from designer.steps import ACTIONS, SPECIAL_PROCEDURES, step_types

from .steps import keys_where

__all__ = ["ACTIONS", "SPECIAL_PROCEDURES", "Definition", "Guide", "catalogue_themes", "definition_for", "guide_of",
           "public_catalogue", "publicly_named", "published_items", "step_type"]

def step_type(key: str):
    return step_types.get(key)


def published_items():
    """Items whose current version serves (``designer.selectors.items_in_service``)."""
    return items_in_service()


@dataclass
class Definition:
    version: ItemVersion
    unit_code: str
    unit_name: str
    materials: list
    workflow: dict
    statutory_limit_days: int
    promised_limit_days: int
    form: dict  # the unit's application form: a stage's own, or the item's
    certificate_action: dict = field(default_factory=dict)  # designer.certificate_operations

    @property
    def certificate_operation(self) -> str:
        """What approving this unit does to the certificate registry (``issue`` when undeclared)."""
        return self.certificate_action.get("operation", DEFAULT_OPERATION)

    @property
    def operation(self) -> CertificateOperation:
        """The operation's facts (label, whether it acts on an existing certificate …)."""
        return certificate_operations.get(self.certificate_operation)

    @property
    def application_window(self) -> dict | None:
        """``{"opens_days_before_expiry", "closes_days_before_expiry"}`` or None (any time)."""
        return self.certificate_action.get("window")

    @property
    def document(self) -> dict:
        return self.version.document

    @cached_property
    def steps(self) -> dict[str, dict]:
        return {s["key"]: s for s in self.workflow["steps"]}

    @property
    def start(self) -> str:
        return self.workflow["start"]

    def step(self, key: str) -> dict:
        try:
            return self.steps[key]
        except KeyError:
            raise InvalidInput(f"流程中没有步骤“{key}”") from None

    @property
    def item_department_code(self) -> str:
        return self.document["department"]

    @property
    def confidential(self) -> bool:
        return bool(self.document["confidential"])

    @property
    def name(self) -> str:
        return self.unit_name

    def form_validator(self):
        return form_validator_for_version(self.version, self.unit_code)

    def required_materials(self, data: dict) -> list[dict]:
        return required_materials(self.materials, data)

    def decision_form(self, key: str) -> dict | None:
        """The step's own small form (决定事项), or None when the step declares none."""
        return self.step(key).get("decision_form")

    @cached_property
    def declares_decisions(self) -> bool:
        return any("decision_form" in s for s in self.workflow["steps"])

    def decision_validator(self, key: str):
        """The validator of a step's decision form, built once per published version and step."""
        return decision_validator_for_version(self.version, self.unit_code, key)

    def material(self, key: str) -> dict | None:
        return next((m for m in self.materials if m["key"] == key), None)

    @cached_property
    def certificate(self) -> dict:
        """``{"name", "validity", "type", "particulars"}`` of what an approval issues; ``type`` may
        be None; ``particulars``: ``[{"label", "path", "public"}]`` printed on it."""
        cert = self.document["public"]["certificate"]
        code = cert.get("certificate_type")
        kind = CertificateType.objects.filter(code=code).first() if code else None
        return {"name": cert.get("name") or (kind.name if kind else ""), "validity": cert.get("validity", ""),
                "type": kind, "particulars": cert.get("particulars", [])}

    @property
    def public(self) -> dict:
        return self.document["public"]

    @property
    def prereview_limit_days(self) -> int:
        """网上预审时限: the item's own when its definition sets one, else 2 working days."""
        from .clock import PREREVIEW_LIMIT_DAYS

        return int(self.document.get("prereview_limit_days") or PREREVIEW_LIMIT_DAYS)

    @property
    def correction_limit_days(self) -> int:
        """补正期限 stated on the correction notice: the item's own when its definition sets one,
        else 15 working days."""
        from .clock import CORRECTION_LIMIT_DAYS

        return int(self.document.get("correction_limit_days") or CORRECTION_LIMIT_DAYS)

    @property
    def correction_stops_clock(self) -> bool:
        """Whether a correction asked for after acceptance stops the clock until the applicant
        resubmits (an absent key, as in every version published before the setting: no)."""
        return bool(self.document.get("correction_stops_clock", False))

    def first_step_where(self, **flags: bool) -> str | None:
        """The first step in document order whose type's behaviour has the given properties
        (``runtime.steps.keys_where``)."""
        keys = set(keys_where(**flags))
        return next((s["key"] for s in self.workflow["steps"] if s["type"] in keys), None)

    def completion_step(self) -> str | None:
        """Where a rejection (不予许可) goes: the first completion step in document order."""
        return self.first_step_where(completion=True)

    def acceptance_step(self) -> str | None:
        """The step whose approval accepts the case (受理); None: the item accepts on receipt."""
        return self.first_step_where(accepts=True)

    def is_reachable(self, start: str, target: str, *, stop_at_join: bool = True) -> bool:
        """Whether ``target`` is reachable forward from ``start`` (not passing a join when asked)."""
        seen, todo = set(), [start]
        while todo:
            key = todo.pop()
            if key == target:
                return True
            if key in seen:
                continue
            seen.add(key)
            if stop_at_join and key != start and step_type(self.steps[key]["type"]).parallel == "join":
                continue
            todo.extend(t["to"] for t in self.steps[key]["transitions"])
        return False


def definition_for(version: ItemVersion, unit_code: str | None = None) -> Definition:
    units = applicable_units(version.document)
    if unit_code is None:
        if len(units) != 1:
            raise InvalidInput("请选择办理的阶段", details={"unit": ["该事项分阶段办理，请选择阶段"]})
        unit = units[0]
    else:
        unit = next((u for u in units if u.code == unit_code), None)
        if unit is None:
            raise InvalidInput("事项阶段不存在", details={"unit": [f"没有阶段“{unit_code}”"]})
    return Definition(version, unit.code, unit.name, unit.materials, unit.workflow, unit.statutory_limit_days,
                      unit.promised_limit_days, unit.form, unit.certificate_action)


def units_of(version: ItemVersion):
    return applicable_units(version.document)


@dataclass(frozen=True)
class Guide:
    """An item's guide (办事指南) as the service hall shows it: every public element, the units
    one applies for (the item itself or its stages) with their materials and workflow."""

    item: ApprovalItem
    version: ItemVersion
    public: dict
    units: list
    statutory_limit_days: int
    promised_limit_days: int
    handling_type: str
    themes: list  # the names of its service themes (服务主题)
    approval_type: str  # 审批类型及法律效力, the type named once (designer.selectors.approval_type_text)


def guide_of(item: ApprovalItem) -> Guide:
    document = item.current_version.document
    return Guide(item, item.current_version, document["public"], applicable_units(document),
                 document["statutory_limit_days"], document["promised_limit_days"], document.get("handling_type", ""),
                 theme_names(document.get("themes", [])), approval_type_text(document))
