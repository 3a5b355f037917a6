"""The item catalogue as a spreadsheet (Excel or CSV), in and out, with django-import-export.

One row per item: catalogue facts, the public elements and the materials (one per line).
Export uses :class:`CatalogueResource`; import reads the file with import-export's formats and
then goes row by row through the same services as the designer (``item_create`` /
``item_update``), inside one transaction with a savepoint per row. Every problem is reported
with its row number; if there is any problem, or on a dry run, everything is rolled back, so a
wrong file imports nothing. See docs/designer.md.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from django.db import transaction
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX

from accounts.models import Department
from core.errors import InvalidInput, PlatformError

from . import access, services
from .models import ApprovalItem, HandlingType, ItemType

YES, NO = "是", "否"
ORIGINAL = {"original": "原件", "copy": "复印件", "original_and_copy": "原件和复印件"}


def _labels(choices) -> tuple[dict, dict]:
    to_label = dict(choices)
    return to_label, {label: value for value, label in to_label.items()}


ITEM_TYPE_LABEL, ITEM_TYPE_VALUE = _labels(ItemType.choices)
HANDLING_LABEL, HANDLING_VALUE = _labels(HandlingType.choices)


@dataclass(frozen=True)
class Column:
    header: str
    path: str  # dotted path in the definition
    kind: str = "text"  # text, int, bool, item_type, handling


COLUMNS = [
    Column("事项编码", "code"),
    Column("事项名称", "name"),
    Column("实施部门编码", "department"),
    Column("事项类型", "item_type", "item_type"),
    Column("办件类型", "handling_type", "handling"),
    Column("法定时限（工作日）", "statutory_limit_days", "int"),
    Column("承诺时限（工作日）", "promised_limit_days", "int"),
    Column("网上办理类别", "online_class"),
    Column("涉密", "confidential", "bool"),
    Column("颁发证件", "public.certificate.name"),
    Column("证件有效期", "public.certificate.validity"),
    Column("审批类型及法律效力", "public.approval_type"),
    Column("设定依据", "public.legal_basis"),
    Column("审批条件", "public.conditions"),
    Column("受理机构", "public.accepting_office.name"),
    Column("受理地点", "public.accepting_office.address"),
    Column("受理电话", "public.accepting_office.phone"),
    Column("决定机关", "public.deciding_authority"),
    Column("审批程序", "public.procedure"),
    Column("收费", "public.fees"),
    Column("年审或年检", "public.annual_review"),
    Column("咨询机构", "public.consultation.name"),
    Column("咨询电话", "public.consultation.phone"),
    Column("投诉机构", "public.complaint.name"),
    Column("投诉电话", "public.complaint.phone"),
]
MATERIALS_HEADER = "申请材料"
HEADERS = [c.header for c in COLUMNS] + [MATERIALS_HEADER]
HEADER_OF_PATH = {f"$.{c.path}": c.header for c in COLUMNS}


def _get(doc: dict, path: str):
    value = doc
    for part in path.split("."):
        value = (value or {}).get(part, "")
    return value


def _set(doc: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[last] = value


def _to_text(column: Column, value) -> str:
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "item_type":
        return ITEM_TYPE_LABEL.get(value, value)
    if column.kind == "handling":
        return HANDLING_LABEL.get(value, value)
    return "" if value is None else str(value)


def material_line(material: dict, stage: str = "") -> str:
    notes = [ORIGINAL[material["original"]], f"{material['copies']}份"]
    if not material["required"]:
        notes.append("选交")
    elif material["condition"] is not None:
        notes.append("符合条件时提交")
    prefix = f"【{stage}】" if stage else ""
    return f"{prefix}{material['name']}（{'，'.join(notes)}）"


def materials_text(doc: dict) -> str:
    lines = [material_line(m) for m in doc["materials"]]
    for stage in doc["stages"]:
        lines += [material_line(m, stage["name"]) for m in stage["materials"]]
    return "\n".join(lines)


class DefinitionField(fields.Field):
    """A column read from the item's working definition."""

    def __init__(self, column: Column):
        super().__init__(attribute=None, column_name=column.header, readonly=True)
        self.column = column

    def get_value(self, obj):
        return _to_text(self.column, _get(obj.definition, self.column.path))


class MaterialsField(fields.Field):
    def __init__(self):
        super().__init__(attribute=None, column_name=MATERIALS_HEADER, readonly=True)

    def get_value(self, obj):
        return materials_text(obj.definition)


class CatalogueResource(resources.Resource):
    """Export of the catalogue: one row per item, the columns of :data:`HEADERS`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for column in COLUMNS:
            self.fields[column.header] = DefinitionField(column)
        self.fields[MATERIALS_HEADER] = MaterialsField()

    def get_export_headers(self, selected_fields=None):
        return list(HEADERS)


def export_catalogue(queryset, *, file_format: str) -> bytes:
    dataset = CatalogueResource().export(queryset=queryset.order_by("code"))
    if file_format == "csv":
        return ("\ufeff" + CSV().export_data(dataset)).encode("utf-8")  # BOM: Excel opens it as UTF-8
    return XLSX().export_data(dataset)


# --- Import ---------------------------------------------------------------------------------

@dataclass
class ImportReport:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def _read(content: bytes, filename: str):
    try:
        if filename.lower().endswith(".csv"):
            return CSV().create_dataset(content.decode("utf-8-sig"))
        return XLSX().create_dataset(content)
    except Exception as exc:  # the readers raise many types for a broken file
        raise InvalidInput(f"无法读取文件“{filename}”，请使用导出的 xlsx 或 UTF-8 编码的 csv 格式") from exc


def _parse(column: Column, raw, problems: list[str]):
    text = "" if raw is None else str(raw).strip()
    if column.kind == "int":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if not re.fullmatch(r"[0-9]{1,4}", text):
            problems.append(f"{column.header}：“{text}”不是工作日天数")
            return None
        return int(text)
    if column.kind == "bool":
        if text not in (YES, NO):
            problems.append(f"{column.header}：应填“是”或“否”")
        return text == YES
    if column.kind in ("item_type", "handling"):
        table = ITEM_TYPE_VALUE if column.kind == "item_type" else HANDLING_VALUE
        if text not in table:
            problems.append(f"{column.header}：应为{'、'.join(table)}之一")
        return table.get(text)
    return text


def _materials(current: list[dict], text: str) -> list[dict]:
    """Materials named one per line; a known name keeps its details, a new one gets defaults."""
    by_name = {m["name"]: m for m in current}
    keys = {m["key"] for m in current}
    result = []
    for line in (text or "").splitlines():
        name = re.sub(r"（[^（）]*）\s*$", "", line.strip()).strip()
        if not name:
            continue
        if name in by_name:
            result.append(by_name[name])
            continue
        n = 1
        while f"m{n}" in keys:
            n += 1
        keys.add(f"m{n}")
        result.append({"key": f"m{n}", "name": name, "required": True, "original": "original", "copies": 1,
                       "medium": "either", "file_types": ["pdf", "jpg", "png"], "max_size_mb": 10,
                       "condition": None, "certificate_type": None})
    return result


def _row_problem_messages(exc: PlatformError) -> list[str]:
    if not exc.details:
        return [exc.message]
    return [f"{HEADER_OF_PATH.get(path, path)}：{m}" for path, messages in exc.details.items() for m in messages]


def catalogue_import(*, actor, content: bytes, filename: str, dry_run: bool) -> ImportReport:
    """Import a catalogue file. Raises InvalidInput listing every bad row (nothing imported);
    on a dry run returns what would happen and rolls everything back."""
    dataset = _read(content, filename)
    headers = [str(h or "").strip() for h in (dataset.headers or [])]
    missing = [h for h in HEADERS if h not in headers]
    if missing:
        raise InvalidInput("表头缺少：" + "、".join(missing) + "。请以导出的目录文件为模板")
    index = {h: headers.index(h) for h in HEADERS}
    report = ImportReport(dry_run=dry_run)
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, row in enumerate(dataset, start=2):  # row 1 is the header
            if all(str(c or "").strip() == "" for c in row):
                continue
            label = f"第{number}行"
            code = str(row[index["事项编码"]] or "").strip()
            if code and code in seen:
                report.errors[label] = [f"事项编码“{code}”与第{seen[code]}行重复"]
                continue
            if code:
                seen[code] = number
            problems: list[str] = []
            values = {c.path: _parse(c, row[index[c.header]], problems) for c in COLUMNS}
            if problems:
                report.errors[label] = problems
                continue
            try:
                with transaction.atomic():
                    code = _import_row(actor, code, values, row[index[MATERIALS_HEADER]], report)
                if code:
                    seen.setdefault(code, number)
            except PlatformError as exc:
                report.errors[label] = _row_problem_messages(exc)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    if report.errors:
        raise InvalidInput(f"目录文件有 {len(report.errors)} 行错误，未导入任何数据", details=report.errors)
    return report


def _import_row(actor, code: str, values: dict, materials_cell, report: ImportReport) -> str:
    if code:
        item = ApprovalItem.objects.filter(code=code).select_related("department").first()
        if item is None:
            raise InvalidInput(f"事项编码“{code}”不存在；新增事项请将编码留空，由系统赋码")
        if values["department"] != item.department.code or values["item_type"] != item.item_type:
            raise InvalidInput("实施部门和事项类型创建后不能修改")
        access.require_editor_for(actor, item.department)
        created = False
    else:
        department = Department.objects.filter(code=values["department"]).first()
        if department is None:
            raise InvalidInput(f"实施部门“{values['department']}”不存在")
        item = services.item_create(actor=actor, department=department, item_type=values["item_type"],
                                    name=values["name"])
        created = True
    doc = copy.deepcopy(item.definition)
    for path, value in values.items():
        if path != "code":
            _set(doc, path, value)
    if not doc["stages"]:
        doc["materials"] = _materials(doc["materials"], str(materials_cell or ""))
    if created or doc != item.definition:
        item = services.item_update(actor=actor, item=item, definition=doc)
        (report.created if created else report.updated).append(item.code)
    return item.code
