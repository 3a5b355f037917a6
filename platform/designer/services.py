"""Use cases that change approval items: create, edit a draft, review, publish, retire, import.

Keyword-only, atomic, access-checked through ``designer.access``; each validates the whole
definition before writing, so an invalid definition is refused whole and nothing is saved.
``actor=None`` is the system itself (demo loader, ``import_item``).
"""

from __future__ import annotations

import copy
import hashlib
import json

from django.db import transaction
from django.db.models import Max

from accounts.models import Department
from core.errors import Conflict, InvalidInput

from . import access, rulesets
from .defaults import DEFAULT_SUPERVISION, new_definition
from .models import (
    ApprovalItem,
    CertificateType,
    ItemState,
    ItemType,
    ItemVersion,
    ReviewRecord,
    ServiceTheme,
    SupervisionDefaults,
)
from .validation import Problems, ruleset_problems, structural_problems, validate_definition

BUNDLE_FORMAT = "approval-item-bundle"
BUNDLE_VERSION = 1


def canonical_json(document) -> str:
    """The one serialisation of a document: UTF-8 text, keys sorted, two-space indent, final newline."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def checksum(document) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def _normalised(document) -> dict:
    return json.loads(canonical_json(document))


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _copy_catalogue_columns(item: ApprovalItem, doc: dict) -> None:
    item.name = doc["name"]
    item.handling_type = doc["handling_type"]
    item.online_class = doc["online_class"]
    item.confidential = doc["confidential"]
    item.statutory_limit_days = doc["statutory_limit_days"]
    item.promised_limit_days = doc["promised_limit_days"]
    item.definition = doc


def _locked(item: ApprovalItem) -> ApprovalItem:
    return ApprovalItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)


def _save_item(item: ApprovalItem, actor, reason: str) -> None:
    """Save with the history record's who and why (django-simple-history), whatever the caller
    (page, API with token authentication, command) — not only what the request middleware sees."""
    item._history_user = _actor(actor)
    item._change_reason = reason
    item.save()


def _record(item, action, actor, opinion="") -> None:
    ReviewRecord.objects.create(item=item, action=action, actor=_actor(actor), opinion=opinion)


@transaction.atomic
def item_create(*, actor, department: Department, item_type: str, name: str,
                copy_from: ApprovalItem | None = None) -> ApprovalItem:
    """A new draft with the next free code of the department and type, from the district
    template, or from a copy of the published version of ``copy_from`` (its materials, form,
    workflow, stages and rules; the new item's own code, department, type and name)."""
    access.require_editor_for(actor, department)
    if item_type not in ItemType.values:
        raise InvalidInput("事项类型无效", details={"item_type": [f"“{item_type}”不是有效的事项类型"]})
    if department.kind != Department.Kind.DEPARTMENT:
        raise InvalidInput("实施部门应为区级部门",
                           details={"department": ["实施部门应为区级部门（不能是科室或区政府）"]})
    Department.objects.select_for_update().get(pk=department.pk)  # serialises code allocation per department
    last = ApprovalItem.objects.filter(department=department, item_type=item_type).aggregate(n=Max("sequence"))["n"]
    sequence = (last or 0) + 1
    code = f"{department.code}-{item_type}-{sequence:04d}"
    if copy_from is not None:
        if copy_from.current_version is None:
            raise InvalidInput("只能复制已发布的事项", details={"copy_from": ["所选事项尚未发布"]})
        doc = _normalised({**copy.deepcopy(copy_from.current_version.document),
                           "code": code, "department": department.code, "item_type": item_type, "name": name})
    else:
        doc = _normalised(new_definition(code=code, department=department, item_type=item_type, name=name))
    validate_definition(doc)
    item = ApprovalItem(code=code, department=department, item_type=item_type, sequence=sequence)
    _copy_catalogue_columns(item, doc)
    _save_item(item, actor, "新建事项")
    return item


@transaction.atomic
def item_update(*, actor, item: ApprovalItem, definition: dict) -> ApprovalItem:
    """Replace the working copy. A published item gets a new draft beside its current version,
    which keeps serving applicants (``ApprovalItem.objects.in_service``) until the draft is
    published. The code, department and item type never change."""
    item = _locked(item)
    access.require_editor_for(actor, item.department)
    if item.state == ItemState.IN_REVIEW:
        raise Conflict("事项正在审核中，不能修改；如需修改请由法制办退回")
    if item.state == ItemState.RETIRED:
        raise Conflict("事项已停用，不能修改")
    doc = _normalised(definition)
    if isinstance(doc, dict):
        fixed = {"code": item.code, "department": item.department.code, "item_type": item.item_type}
        message = "事项编码、实施部门和事项类型创建后不能修改"
        changed = {f"$.{k}": [message] for k, v in fixed.items() if doc.get(k) != v}
        if changed:
            raise InvalidInput("事项编码、实施部门和事项类型创建后不能修改，未保存任何修改", details=changed)
    validate_definition(doc)
    _copy_catalogue_columns(item, doc)
    item.state = ItemState.DRAFT
    _save_item(item, actor, "修改定义")
    return item


@transaction.atomic
def item_submit_for_review(*, actor, item: ApprovalItem, note: str = "") -> ApprovalItem:
    item = _locked(item)
    access.require_editor_for(actor, item.department)
    if item.state != ItemState.DRAFT:
        raise Conflict(f"只有草稿可以提交审核（当前状态：{item.get_state_display()}）")
    validate_definition(item.definition)
    item.state = ItemState.IN_REVIEW
    _save_item(item, actor, "提交审核")
    _record(item, ReviewRecord.Action.SUBMIT, actor, note)
    return item


@transaction.atomic
def item_send_back(*, actor, item: ApprovalItem, opinion: str) -> ApprovalItem:
    access.require_reviewer(actor)
    item = _locked(item)
    if item.state != ItemState.IN_REVIEW:
        raise Conflict(f"只有审核中的事项可以退回（当前状态：{item.get_state_display()}）")
    if not (opinion or "").strip():
        raise InvalidInput("退回须填写审核意见", details={"opinion": ["请填写退回修改的意见"]})
    item.state = ItemState.DRAFT
    _save_item(item, actor, "退回修改")
    _record(item, ReviewRecord.Action.SEND_BACK, actor, opinion.strip())
    return item


def _freeze(item: ApprovalItem, *, actor, opinion: str) -> ItemVersion:
    number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ItemVersion.objects.create(
        item=item, number=number, document=item.definition, checksum=checksum(item.definition),
        published_by=_actor(actor), opinion=opinion, **ItemVersion.facts_of(item.definition),
    )
    item.current_version = version
    item.state = ItemState.PUBLISHED
    _save_item(item, actor, f"发布第{number}版")
    # the catalogue is browsed by the themes of the version in force
    item.themes.set(ServiceTheme.objects.filter(code__in=version.document.get("themes", [])))
    return version


@transaction.atomic
def item_publish(*, actor, item: ApprovalItem, opinion: str) -> ItemVersion:
    """Approve with an opinion: freezes the working copy into a new immutable version."""
    access.require_reviewer(actor)
    item = _locked(item)
    if item.state != ItemState.IN_REVIEW:
        raise Conflict(f"只有审核中的事项可以发布（当前状态：{item.get_state_display()}）")
    if not (opinion or "").strip():
        raise InvalidInput("发布须填写审核意见", details={"opinion": ["请填写审核意见"]})
    validate_definition(item.definition)
    version = _freeze(item, actor=actor, opinion=opinion.strip())
    _record(item, ReviewRecord.Action.PUBLISH, actor, opinion.strip())
    return version


@transaction.atomic
def item_retire(*, actor, item: ApprovalItem, reason: str) -> ApprovalItem:
    """No new cases from now on; running cases keep their pinned version."""
    access.require_reviewer(actor)
    item = _locked(item)
    if item.state == ItemState.RETIRED:
        raise Conflict("事项已停用")
    if item.current_version_id is None:
        raise Conflict("事项尚未发布，无需停用")
    if not (reason or "").strip():
        raise InvalidInput("停用须说明理由", details={"reason": ["请填写停用理由"]})
    item.state = ItemState.RETIRED
    _save_item(item, actor, "停用")
    _record(item, ReviewRecord.Action.RETIRE, actor, reason.strip())
    return item


# --- Bundles --------------------------------------------------------------------------------

def bundle_for_document(document: dict) -> dict:
    """The exchange bundle of one definition, with the certificate types and service themes it
    refers to (so it imports into a district that has neither)."""
    codes = {m["certificate_type"] for m in document["materials"] if m["certificate_type"]}
    codes |= {m["certificate_type"] for s in document["stages"] for m in s["materials"] if m["certificate_type"]}
    if document["public"]["certificate"].get("certificate_type"):
        codes.add(document["public"]["certificate"]["certificate_type"])
    types = [t.as_document() for t in CertificateType.objects.filter(code__in=codes).order_by("code")]
    themes = [t.as_document() for t in ServiceTheme.objects.filter(code__in=document.get("themes", [])).order_by("code")]
    return {"format": BUNDLE_FORMAT, "format_version": BUNDLE_VERSION, "item": document, "certificate_types": types,
            "service_themes": themes}


def _themes_to_create(themes: list[dict], conflicts: Problems) -> list[dict]:
    """The bundle's themes this district lacks, after checking the others match.

    A theme is the same when its code and name are: the position is the district's own order
    of its hall (used only for a theme created here). Names are unique too, so a new code may not
    bring a name another theme already has. Conflicts are added at ``$.service_themes[i]``.
    """
    codes = [t["code"] for t in themes]
    names = [t["name"] for t in themes]
    by_code = {t.code: t for t in ServiceTheme.objects.filter(code__in=codes)}
    by_name = {t.name: t for t in ServiceTheme.objects.filter(name__in=names)}
    missing = []
    for i, theme in enumerate(themes):
        path = f"$.service_themes[{i}]"
        if theme["code"] in codes[:i] or theme["name"] in names[:i]:
            conflicts.add(path, f"服务主题“{theme['code']}”（{theme['name']}）在交换包中重复")
        elif (existing := by_code.get(theme["code"])) is not None:
            if existing.name != theme["name"]:
                conflicts.add(path, f"服务主题“{theme['code']}”在本系统中名为“{existing.name}”，"
                                    f"与交换包的“{theme['name']}”不同")
        elif (same_name := by_name.get(theme["name"])) is not None:
            conflicts.add(path, f"服务主题名称“{theme['name']}”在本系统中已由主题“{same_name.code}”使用，"
                                f"与交换包的编码“{theme['code']}”不同")
        else:
            missing.append(theme)
    return missing


@transaction.atomic
def bundle_import(*, actor, bundle) -> tuple[ApprovalItem, ItemVersion | None]:
    """Import one bundle and publish it (the legal office's act), all or nothing.

    Creates the item (keeping its code) or replaces its working copy; publishes a new version
    unless the current version already equals the bundle (then nothing changes: idempotent).
    Returns the item and the new version, or ``None`` when nothing changed.
    """
    access.require_reviewer(actor)
    item = bundle.get("item") if isinstance(bundle, dict) else None
    if isinstance(item, dict) and isinstance(item.get("supervision"), dict):
        # a bundle exported before the cards named their limit reads as it meant
        bundle = {**bundle, "item": {**item, "supervision": rulesets.upgrade(item["supervision"])}}
    problems = structural_problems("bundle", bundle)
    problems.raise_if_any("交换包")
    doc = _normalised(bundle["item"])
    codes = [c["code"] for c in bundle["certificate_types"]]
    known = {t.code: t for t in CertificateType.objects.filter(code__in=codes)}
    conflicts = Problems()
    for i, cert in enumerate(bundle["certificate_types"]):
        existing = known.get(cert["code"])
        if cert["code"] in codes[:i]:
            conflicts.add(f"$.certificate_types[{i}]", f"证照类型“{cert['code']}”在交换包中重复")
        elif existing is not None and existing.as_document() != cert:
            conflicts.add(f"$.certificate_types[{i}]", f"证照类型“{cert['code']}”在本系统中的定义与交换包不同")
    new_themes = _themes_to_create(bundle.get("service_themes", []), conflicts)  # absent in older bundles
    conflicts.raise_if_any("交换包")
    for cert in bundle["certificate_types"]:
        if cert["code"] not in known:
            CertificateType.objects.create(**cert)
    for theme in new_themes:
        created = ServiceTheme(**theme)
        created._history_user = _actor(actor)
        created._change_reason = "导入交换包"
        created.save()
    validate_definition(doc)

    item = ApprovalItem.objects.select_for_update().filter(code=doc["code"]).first()
    if item is None:
        department = Department.objects.get(code=doc["department"])
        item = ApprovalItem(code=doc["code"], department=department, item_type=doc["item_type"],
                            sequence=int(doc["code"][-4:]))
    else:
        if item.department.code != doc["department"] or item.item_type != doc["item_type"]:
            raise InvalidInput("交换包与本系统中同编码事项的实施部门或事项类型不同",
                               details={"$.item.code": ["同编码事项的实施部门或事项类型不同"]})
        if item.state == ItemState.IN_REVIEW:
            raise Conflict("该事项正在审核中，请先处理审核后再导入")
        if item.current_version_id and item.current_version.checksum == checksum(doc) \
                and item.state == ItemState.PUBLISHED:
            return item, None
    _copy_catalogue_columns(item, doc)
    _save_item(item, actor, "导入交换包")
    version = _freeze(item, actor=actor, opinion="通过交换包导入")
    _record(item, ReviewRecord.Action.IMPORT, actor, f"导入第{version.number}版")
    return item, version


# --- District defaults ----------------------------------------------------------------------

@transaction.atomic
def supervision_defaults_update(*, actor, rules: dict) -> SupervisionDefaults:
    """Replace the district-wide default supervision rules (all four keys required)."""
    access.require_reviewer(actor)
    if isinstance(rules, dict):
        rules = rulesets.upgrade(rules)
    problems = structural_problems("ruleset", rules)
    for key in DEFAULT_SUPERVISION:
        if isinstance(rules, dict) and key not in rules:
            problems.add(f"$.{key}", "全区默认规则须包含此项")
    if not problems:
        problems.update(ruleset_problems(rules, "$"))
    problems.raise_if_any("监察规则")
    row = SupervisionDefaults.objects.select_for_update().first() or SupervisionDefaults()
    row.rules = copy.deepcopy(rules)
    row.save()
    return row


@transaction.atomic
def certificate_type_save(*, actor, code: str, name: str, issuing_item: str = "",
                          validity_months: int | None = None) -> CertificateType:
    """Create or change a kind of certificate in the shared registry. The legal office keeps the
    list, as it confirms the items that issue them; a code once used is never renamed."""
    access.require_reviewer(actor)
    cert = CertificateType.objects.select_for_update().filter(code=code).first() or CertificateType(code=code)
    cert.name, cert.issuing_item, cert.validity_months = name, issuing_item, validity_months
    cert.full_clean()
    cert._history_user = _actor(actor)
    cert._change_reason = "新增证照类型" if cert.pk is None else "修改证照类型"
    cert.save()
    return cert


@transaction.atomic
def service_theme_save(*, actor, code: str, name: str, position: int = 100) -> ServiceTheme:
    """Create or rename a theme of the service hall (服务主题). The legal office keeps the list;
    a code once used is never changed (definitions name themes by code)."""
    access.require_reviewer(actor)
    theme = ServiceTheme.objects.select_for_update().filter(code=code).first() or ServiceTheme(code=code)
    theme.name, theme.position = name, position
    theme.full_clean()
    theme._history_user = _actor(actor)
    theme._change_reason = "新增服务主题" if theme.pk is None else "修改服务主题"
    theme.save()
    return theme
