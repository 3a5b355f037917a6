"""Read-side queries and the public reading API for the runtime and supervision.

The runtime pins a case to an :class:`~designer.models.ItemVersion` and reads only its frozen
document through these functions:

* :func:`applicable_units` – the item itself or its stages, each with materials, workflow, limits;
* :func:`form_validator_for_version` – the cached :class:`~designer.palette.FormValidator`;
* :func:`decision_validator_for_version` – the same for one step's decision form;
* :func:`required_materials` – the materials that apply to given form data;
* :func:`effective_supervision_rules` – the item's rules over the district defaults;
* :func:`items_in_service` – the items whose current version serves (drafts beside it or not);
* :func:`public_catalogue` – what may ever be shown online (never a confidential item).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from django.db.models import Q, QuerySet

from accounts.models import Role, RoleAssignment
from rules import RuleEvaluationError, evaluate_rule

from . import access, rulesets
from .defaults import DEFAULT_SUPERVISION
from .models import (
    ApprovalItem,
    HandlingType,
    ItemState,
    ItemType,
    ItemVersion,
    OnlineClass,
    ServiceTheme,
    SupervisionDefaults,
)
from .palette import FormValidator
from .validation import unit_form


def items_for(user) -> QuerySet[ApprovalItem]:
    items = ApprovalItem.objects.select_related("department", "current_version").order_by("code")
    if access.can_see_all_items(user):
        return items
    if not getattr(user, "is_authenticated", False):
        return items.none()
    departments = RoleAssignment.objects.filter(user=user, role=Role.ITEM_EDITOR).values("department")
    return items.filter(department_id__in=departments)


def copyable_items(user) -> QuerySet[ApprovalItem]:
    """Published items a new item may start from: any department's item in service that is not
    confidential, and the confidential ones the person may already see."""
    return (ApprovalItem.objects.in_service().filter(Q(confidential=False) | Q(pk__in=items_for(user).values("pk")))
            .select_related("department", "current_version").order_by("department__code", "name"))


def review_queue() -> QuerySet[ApprovalItem]:
    return ApprovalItem.objects.filter(state=ItemState.IN_REVIEW).select_related("department").order_by("updated_at")


def items_in_service() -> QuerySet[ApprovalItem]:
    """Items whose current version serves applicants (at a window, and online when the catalogue
    allows), while a new draft of them is edited or reviewed; never a retired one."""
    return ApprovalItem.objects.in_service()


def publicly_named(version: str, item: str | None = None) -> Q:
    """Rows whose item version (reached through the field path ``version``) may be named to the
    public: never a confidential one — nor, given the path ``item``, one of an item marked
    confidential since. The one test of confidentiality behind every lookup an applicant or an
    anonymous visitor makes (the catalogue below, the progress query, the public notices)."""
    named = Q(**{f"{version}__confidential": False})
    return named & Q(**{f"{item}__confidential": False}) if item else named


def public_catalogue() -> QuerySet[ApprovalItem]:
    """Items in service that may be shown and applied for online: never confidential ones, never
    those whose online class is not online — as their *current version* says, not the draft.
    Every applicant-facing and anonymous lookup of an item goes through it (guides, blank forms,
    applications, consultations, the catalogue and its API)."""
    online = OnlineClass.objects.filter(online=True).values("letter")  # a subquery: one statement
    return (items_in_service().filter(publicly_named("current_version"),
                                      current_version__online_class__in=online)
            .select_related("department", "current_version").order_by("code"))


def theme_names(codes: list[str]) -> list[str]:
    """The names of these theme codes, in the district's order (unknown codes are left out)."""
    return list(ServiceTheme.objects.filter(code__in=codes).order_by("position", "code").values_list("name", flat=True))


def approval_type_text(document: dict) -> str:
    """审批类型及法律效力 as the overview and the guide say it: the item's type, then the editor's
    text — once, whether or not the editor began the text with the type."""
    label = ItemType(document["item_type"]).label
    text = (document.get("public", {}).get("approval_type") or "").strip()
    if not text or text == label:
        return label
    if text.startswith(label):
        return text
    return f"{label}。{text}"


def catalogue_themes() -> QuerySet[ServiceTheme]:
    """The themes that have at least one item in the public catalogue, with how many."""
    from django.db.models import Count

    shown = Q(items__in=public_catalogue().values("pk"))
    return (ServiceTheme.objects.annotate(shown=Count("items", filter=shown, distinct=True))
            .filter(shown__gt=0).order_by("position", "code"))


@dataclass(frozen=True)
class Unit:
    """Something an applicant applies for: the item itself, or one of its stages."""

    code: str
    name: str
    materials: list
    workflow: dict
    statutory_limit_days: int
    promised_limit_days: int
    form: dict  # the application form: a stage's own, or the item's
    own_form: bool = False  # whether the form is the stage's own
    # What its approval does to the certificate registry (designer.certificate_operations).
    certificate_action: dict = field(default_factory=dict)


def applicable_units(document: dict) -> list[Unit]:
    if not document["stages"]:
        return [Unit(document["code"], document["name"], document["materials"], document["workflow"],
                     document["statutory_limit_days"], document["promised_limit_days"], document["form"],
                     certificate_action=document.get("certificate_action") or {})]
    return [Unit(f"{document['code']}-{s['code']}", f"{document['name']}（{s['name']}）", s["materials"],
                 s["workflow"], s["statutory_limit_days"], s["promised_limit_days"], unit_form(document, s), "form" in s,
                 s.get("certificate_action") or {})
            for s in document["stages"]]


def unit_of(document: dict, unit_code: str | None = None) -> Unit:
    """One unit by its code (``None``: the item's own, for an item without stages); KeyError when absent."""
    units = applicable_units(document)
    if unit_code is None and not document["stages"]:
        return units[0]
    found = next((u for u in units if u.code == unit_code), None)
    if found is None:
        raise KeyError(unit_code)
    return found


def required_materials(materials: list, data: dict) -> list[dict]:
    """The required materials for this form data. A conditional material applies when its
    condition is true; a condition that cannot be evaluated counts as applying (fail closed)."""
    needed = []
    for material in materials:
        if not material["required"]:
            continue
        condition = material["condition"]
        if condition is None:
            needed.append(material)
            continue
        try:
            applies = bool(evaluate_rule(condition, data))
        except RuleEvaluationError:
            applies = True
        if applies:
            needed.append(material)
    return needed


_VALIDATORS: OrderedDict[str, FormValidator] = OrderedDict()
_VALIDATORS_LOCK = Lock()
_VALIDATORS_MAX = 256


def _cached_validator(key: str, form) -> FormValidator:
    with _VALIDATORS_LOCK:
        validator = _VALIDATORS.get(key)
        if validator is not None:
            _VALIDATORS.move_to_end(key)
            return validator
    validator = FormValidator(form())
    with _VALIDATORS_LOCK:
        _VALIDATORS[key] = validator
        while len(_VALIDATORS) > _VALIDATORS_MAX:
            _VALIDATORS.popitem(last=False)
    return validator


def form_validator_for_version(version: ItemVersion, unit_code: str | None = None) -> FormValidator:
    """The validator of a published version's form for one unit (``None``: the item's own form),
    built once and reused (keyed by the version's checksum and the unit, so equal documents share
    one and a changed document never hits). A stage with a form of its own validates with it."""
    return _cached_validator(f"{version.checksum}/{unit_code or ''}", lambda: (
        version.document["form"] if unit_code is None else unit_of(version.document, unit_code).form))


def decision_validator_for_version(version: ItemVersion, unit_code: str, step_key: str) -> FormValidator:
    """The validator of one step's decision form in a published version (cached like the
    applicant's form validator, by checksum, unit and step)."""
    def form():
        steps = unit_of(version.document, unit_code).workflow["steps"]
        return next(s for s in steps if s["key"] == step_key)["decision_form"]

    return _cached_validator(f"{version.checksum}/{unit_code}/{step_key}", form)


def district_supervision_defaults() -> dict:
    """The district's rules (in the current shape, whatever shape the row was stored in)."""
    row = SupervisionDefaults.objects.first()
    return rulesets.upgrade(row.rules if row else DEFAULT_SUPERVISION)


def effective_supervision_rules(document: dict) -> dict:
    """The item's supervision rules, with every key it does not set taken from the district.
    A document frozen in the rule set's first shape is read as it meant (``rulesets.upgrade``)."""
    return {**district_supervision_defaults(), **rulesets.upgrade(document["supervision"])}


def supervision_test_run(*, rules: dict, limit_days: int, used_days: int, facts: dict | None = None,
                         statutory_limit_days: int | None = None) -> dict:
    """Try a rule set on one made-up situation (working days used since acceptance, against the
    promised limit and the statutory one, which defaults to the promised one): the clock level
    and the anomalies that would fire. Evaluates the same rules the sweep compiles."""
    remaining = limit_days - used_days
    statutory = limit_days if statutory_limit_days is None else statutory_limit_days
    clock = {"clock": {"days_left": remaining, "statutory_days_left": statutory - used_days,
                       "limit_days": limit_days, "statutory_limit_days": statutory}}
    level = "green"
    for name, rule in rulesets.level_rules(rules).items():
        if evaluate_rule(rule, clock) and ORDER[name] > ORDER[level]:
            level = name
    fired = []
    for anomaly in rules.get("anomalies", []):
        try:
            if evaluate_rule(anomaly["condition"], facts or {}):
                fired.append(anomaly["key"])
        except RuleEvaluationError:
            fired.append(anomaly["key"])  # fail closed: a rule that cannot be judged is shown
    return {"level": level, "remaining_days": remaining, "anomalies": fired}


ORDER = {"green": 0, "warning": 1, "yellow": 2, "red": 3}


def document_diff(old, new, path: str = "$") -> list[tuple[str, object, object]]:
    """Leaf-level differences between two documents: ``[(path, old, new)]`` in document order.
    An added or removed object or list is listed leaf by leaf too, so every row names one thing."""
    if old is None and isinstance(new, (dict, list)):
        old = type(new)()
    if new is None and isinstance(old, (dict, list)):
        new = type(old)()
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in list(old) + [k for k in new if k not in old]:
            missing = object()
            a, b = old.get(key, missing), new.get(key, missing)
            out += document_diff(None if a is missing else a, None if b is missing else b, f"{path}.{key}")
        return out
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i in range(max(len(old), len(new))):
            out += document_diff(old[i] if i < len(old) else None, new[i] if i < len(new) else None, f"{path}[{i}]")
        return out
    return [] if old == new else [(path, old, new)]


# --- Change history (django-simple-history) -------------------------------------------------

HISTORY_COLUMNS = [("name", "事项名称"), ("state", "状态"), ("handling_type", "办件类型"),
                   ("statutory_limit_days", "法定时限"), ("promised_limit_days", "承诺时限"),
                   ("online_class", "网上办理类别"), ("confidential", "涉密"), ("current_version_id", "现行版本")]
HISTORY_KIND = {"+": "创建", "~": "修改", "-": "删除"}


@dataclass(frozen=True)
class HistoryEntry:
    """One django-simple-history record of an item: who, when, why, and what changed since the
    record before (catalogue columns by name, the definition path by path)."""

    at: object
    user: object
    kind: str
    reason: str
    columns: list  # [(label, old, new)]
    paths: list  # [(path, old, new)] of the definition

    @property
    def changed(self) -> bool:
        return bool(self.columns or self.paths)


def item_history(item: ApprovalItem) -> list[HistoryEntry]:
    """The item's change history, newest first, each record compared with the one before."""
    records = list(item.history.select_related("history_user").order_by("history_date", "history_id"))
    numbers = dict(item.versions.values_list("pk", "number"))
    labels = {"state": dict(ItemState.choices), "handling_type": dict(HandlingType.choices)}

    def shown(column: str, value):
        if column == "current_version_id":
            return f"第{numbers[value]}版" if value in numbers else None
        if column == "confidential":
            return "是" if value else "否"
        return labels.get(column, {}).get(value, value)

    entries, previous = [], None
    for record in records:
        columns, paths = [], []
        if previous is not None:  # the first record is the creation: nothing to compare with
            for column, label in HISTORY_COLUMNS:
                old, new = shown(column, getattr(previous, column)), shown(column, getattr(record, column))
                if old != new:
                    columns.append((label, old, new))
            paths = document_diff(previous.definition, record.definition)
        entries.append(HistoryEntry(record.history_date, record.history_user, HISTORY_KIND.get(record.history_type, ""),
                                    record.history_change_reason or "", columns, paths))
        previous = record
    return entries[::-1]


def rule_builder_variables(doc: dict, unit: dict, *, step_key: str | None = None,
                           including_step: bool = True, every_decision: bool = False) -> list[dict]:
    """What a rule of ``unit`` may name, for the condition builder: the unit's form fields, the case
    facts and — for a rule of the step ``step_key`` — the decisions of the steps that may come
    before it (and of the step itself for its transitions, ``including_step``; not for its
    department rule). The same sets the validation allows (``validation.workflow_problems``).
    ``every_decision``: every step's decisions (to put any stored rule of the unit in words)."""
    from rules import decision_variables, rule_variables
    from rules.selectors import builder_variables

    from .validation import earlier_steps

    variables = rule_variables(unit_form(doc, unit)["schema"])
    steps = unit.get("workflow", {}).get("steps", [])
    if every_decision:
        seen = {s["key"] for s in steps}
    elif step_key is not None:
        forward = {s["key"]: [t["to"] for t in s.get("transitions", [])] for s in steps}
        forward = {key: [t for t in targets if t in forward] for key, targets in forward.items()}
        seen = earlier_steps(forward).get(step_key, set()) | ({step_key} if including_step else set())
    else:
        seen = set()
    for step in steps:
        if step["key"] in seen and isinstance(step.get("decision_form"), dict):
            variables.update(decision_variables(step["key"], step["decision_form"].get("schema")))
    return builder_variables(variables, step_names={s["key"]: s.get("name", s["key"]) for s in steps})
