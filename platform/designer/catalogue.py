"""The item catalogue as a spreadsheet (Excel or CSV), in and out, with django-import-export.

One row per item: catalogue facts, the public elements and the materials (one per line; a
staged item's prefixed with the stage name).
Both directions go through :class:`CatalogueResource`: export with ``export()``, import with
``import_data(dry_run=…, use_transactions=True, rollback_on_validation_errors=True)``, whose row
hooks apply each row through the same services as the designer (``item_create`` /
``item_update``), so each row passes the whole-definition validation. Every problem is reported
with its spreadsheet row number and column; if there is any problem, or on a dry run,
everything is rolled back, so a wrong file imports nothing. See docs/designer.md.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from import_export import fields, instance_loaders, resources
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult

from accounts.models import Department
from core.errors import InvalidInput, PlatformError
from core.spreadsheets import neutralised, restored
from core.uploads import UploadStash

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
CODE_HEADER = "事项编码"
DEPARTMENT_HEADER = "实施部门编码"
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


def _text(value) -> str:
    return "" if value is None else str(restored(value)).strip()


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


class CatalogueInstanceLoader(instance_loaders.BaseInstanceLoader):
    """Finds the item a row names by its code; a blank code means a new item."""

    def get_instance(self, row):
        code = _text(row.get(CODE_HEADER))
        if not code:
            return None
        item = ApprovalItem.objects.filter(code=code).select_related("department").first()
        if item is None:
            raise ValidationError({CODE_HEADER: [f"“{code}”不存在；新增事项请将编码留空，由系统赋码"]})
        return item


class CatalogueResource(resources.Resource):
    """The catalogue as rows: one per item, the columns of :data:`HEADERS`.

    Export reads the working definitions. Import (``import_data``) applies each row through the
    designer's services — ``item_create`` for a blank code, ``item_update`` otherwise — so every
    row passes the whole-definition validation and the editor's access check. A wrong row
    becomes a ``ValidationError`` keyed by its column header; with ``use_transactions`` and
    ``rollback_on_validation_errors`` a file with any wrong row imports nothing.
    """

    class Meta:
        model = ApprovalItem
        instance_loader_class = CatalogueInstanceLoader
        import_id_fields = [CODE_HEADER]
        use_transactions = True
        skip_diff = True
        report_skipped = True

    def __init__(self, *, actor=None, row_numbers: list[int] | None = None, **kwargs):
        super().__init__(**kwargs)
        for column in COLUMNS:
            self.fields[column.header] = DefinitionField(column)
        self.fields[MATERIALS_HEADER] = MaterialsField()
        self.actor = actor
        self.row_numbers = row_numbers  # spreadsheet row number of each data row (blank rows left out)
        self.seen: dict[str, int] = {}

    def get_export_headers(self, selected_fields=None):
        return list(HEADERS)

    # --- import hooks (see import_export.resources.Resource.import_row) ---

    def sheet_row(self, row_number: int) -> int:
        return self.row_numbers[row_number - 1] if self.row_numbers else row_number + 1  # row 1 is the header

    def before_import(self, dataset, **kwargs):
        self.seen = {}

    def before_import_row(self, row, row_number=None, **kwargs):
        code = _text(row.get(CODE_HEADER))
        if code and code in self.seen:
            raise ValidationError({CODE_HEADER: [f"“{code}”与第{self.seen[code]}行重复"]})
        if code:
            self.seen[code] = self.sheet_row(row_number)
        self._row_number = row_number

    def init_instance(self, row=None):
        return ApprovalItem()

    def import_instance(self, instance, row, **kwargs):
        """Parse the row into the values of the definition; problems are keyed by column."""
        problems: dict[str, list[str]] = {}
        values = {c.path: _parse(c, row.get(c.header), problems) for c in COLUMNS}
        if problems:
            raise ValidationError(problems)
        if instance.pk:
            if values["department"] != instance.department.code or values["item_type"] != instance.item_type:
                raise ValidationError({DEPARTMENT_HEADER: ["实施部门和事项类型创建后不能修改"]})
            try:
                access.require_editor_for(self.actor, instance.department)
            except PlatformError as exc:
                raise ValidationError({DEPARTMENT_HEADER: [exc.message]}) from exc
            instance.catalogue_definition = _apply(instance.definition, values, row.get(MATERIALS_HEADER))
        else:
            department = Department.objects.filter(code=values["department"]).first()
            if department is None:
                raise ValidationError({DEPARTMENT_HEADER: [f"实施部门“{values['department']}”不存在"]})
            instance.department = department
            instance.item_type = values["item_type"]
        instance.catalogue_values = values

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An unchanged existing item is left alone (reported as 无变化)."""
        return bool(instance.pk) and not import_validation_errors \
            and instance.catalogue_definition == instance.definition

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through the services, in a savepoint of its own so a refused row leaves nothing behind."""
        values = instance.catalogue_values
        try:
            with transaction.atomic():
                if is_create:
                    item = services.item_create(actor=self.actor, department=instance.department,
                                                item_type=values["item_type"], name=values["name"])
                    definition = _apply(item.definition, values, row.get(MATERIALS_HEADER))
                else:
                    item, definition = instance, instance.catalogue_definition
                item = services.item_update(actor=self.actor, item=item, definition=definition)
        except PlatformError as exc:
            raise ValidationError(_row_problems(exc)) from exc
        instance.pk = item.pk
        instance.refresh_from_db()
        self.seen.setdefault(item.code, self.sheet_row(self._row_number))


def export_catalogue(queryset, *, file_format: str) -> bytes:
    dataset = neutralised(CatalogueResource().export(queryset=queryset.order_by("code")))
    if file_format == "csv":
        return ("\ufeff" + CSV().export_data(dataset)).encode("utf-8")  # BOM: Excel opens it as UTF-8
    return XLSX().export_data(dataset)




# --- Import ---------------------------------------------------------------------------------

OUTCOME_LABEL = {"new": "新增", "update": "修改", "skip": "无变化", "invalid": "有错误", "error": "有错误"}


@dataclass
class RowOutcome:
    """One row of the import table: its spreadsheet row number, the item, what happens, problems."""

    number: int
    code: str
    name: str
    outcome: str  # new, update, skip, invalid, error
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return OUTCOME_LABEL[self.outcome]


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)

    @property
    def created(self) -> list[str]:
        return [r.code for r in self.rows if r.outcome == "new"]

    @property
    def updated(self) -> list[str]:
        return [r.code for r in self.rows if r.outcome == "update"]

    @property
    def unchanged(self) -> list[str]:
        return [r.code for r in self.rows if r.outcome == "skip"]

    @property
    def errors(self) -> dict[str, list[str]]:
        return {f"第{r.number}行": r.errors for r in self.rows if r.errors}

    @property
    def ok(self) -> bool:
        return not self.errors


def _read(content: bytes, filename: str) -> tablib.Dataset:
    try:
        if filename.lower().endswith(".csv"):
            return CSV().create_dataset(content.decode("utf-8-sig"))
        return XLSX().create_dataset(content)
    except Exception as exc:  # the readers raise many types for a broken file
        raise InvalidInput(f"无法读取文件“{filename}”，请使用导出的 xlsx 或 UTF-8 编码的 csv 格式") from exc


def _parse(column: Column, raw, problems: dict[str, list[str]]):
    text = _text(raw)
    if column.kind == "int":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if not re.fullmatch(r"[0-9]{1,4}", text):
            problems.setdefault(column.header, []).append(f"“{text}”不是工作日天数")
            return None
        return int(text)
    if column.kind == "bool":
        if text not in (YES, NO):
            problems.setdefault(column.header, []).append("应填“是”或“否”")
        return text == YES
    if column.kind in ("item_type", "handling"):
        table = ITEM_TYPE_VALUE if column.kind == "item_type" else HANDLING_VALUE
        if text not in table:
            problems.setdefault(column.header, []).append(f"应为{'、'.join(table)}之一")
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


STAGE_PREFIX = re.compile(r"【([^】]*)】(.*)\Z")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _lines_by_unit(doc: dict, text: str) -> tuple[list[str], list[list[str]]]:
    """The cell's lines sorted to their unit: the item's own, and each stage's by the stage name
    the export prefixes (``【变更】…``). A line naming no stage or an unknown one is refused."""
    stages: dict[str, list[int]] = {}
    for i, stage in enumerate(doc["stages"]):
        stages.setdefault(stage["name"], []).append(i)
    own, per_stage, problems = [], [[] for _ in doc["stages"]], []
    for n, line in enumerate(_lines(text), start=1):
        match = STAGE_PREFIX.match(line)
        if match is None:
            if stages:
                problems.append(f"第{n}条材料“{line}”未写明阶段：本事项分阶段办理，"
                                f"每条材料应以【阶段名称】开头（{'、'.join(stages)}）")
            own.append(line)
            continue
        name, rest = match.group(1).strip(), match.group(2)
        if not stages:
            problems.append(f"第{n}条材料“{line}”写有阶段“{name}”，但本事项未分阶段")
        elif name not in stages:
            problems.append(f"第{n}条材料“{line}”的阶段“{name}”不存在，本事项的阶段为：{'、'.join(stages)}")
        elif len(stages[name]) > 1:
            problems.append(f"第{n}条材料“{line}”的阶段“{name}”有{len(stages[name])}个同名阶段，无法确定所属阶段"
                            "（请先在“办理阶段”页面为阶段改名）")
        else:
            per_stage[stages[name][0]].append(rest)
    if problems:
        raise ValidationError({MATERIALS_HEADER: problems})
    return own, per_stage


def _apply(definition: dict, values: dict, materials_cell) -> dict:
    """The definition with the row's values and materials: the item's own and each stage's."""
    doc = copy.deepcopy(definition)
    for path, value in values.items():
        if path != "code":
            _set(doc, path, value)
    text = _text(materials_cell)
    if _lines(text) == _lines(materials_text(definition)):
        return doc  # as exported: nothing to re-read (and same-named stages stay importable)
    own, per_stage = _lines_by_unit(doc, text)
    doc["materials"] = _materials(doc["materials"], "\n".join(own))
    for stage, lines in zip(doc["stages"], per_stage, strict=True):
        stage["materials"] = _materials(stage["materials"], "\n".join(lines))
    return doc


def _row_problems(exc: PlatformError) -> dict[str, list[str]]:
    """A service's refusal as column-keyed problems (paths without a column stay as paths)."""
    if not exc.details:
        return {NON_FIELD_ERRORS: [exc.message]}
    problems: dict[str, list[str]] = {}
    for path, messages in exc.details.items():
        header = HEADER_OF_PATH.get(path)
        problems.setdefault(header or NON_FIELD_ERRORS, []).extend(
            messages if header else [f"{path}：{m}" for m in messages])
    return problems


def _messages(error: ValidationError) -> list[str]:
    try:
        by_column = error.message_dict
    except AttributeError:
        return list(error.messages)
    return [m if column == NON_FIELD_ERRORS else f"{column}：{m}" for column, ms in by_column.items() for m in ms]


OUTCOME = {RowResult.IMPORT_TYPE_NEW: "new", RowResult.IMPORT_TYPE_UPDATE: "update",
           RowResult.IMPORT_TYPE_SKIP: "skip", RowResult.IMPORT_TYPE_INVALID: "invalid",
           RowResult.IMPORT_TYPE_ERROR: "error"}


def catalogue_import(*, actor, content: bytes, filename: str, dry_run: bool, raise_on_errors: bool = True
                     ) -> ImportReport:
    """Import a catalogue file through :class:`CatalogueResource`.

    Everything runs in one transaction that is rolled back on a dry run or when any row is
    wrong, so a wrong file imports nothing. Returns the row-by-row report; when a row is wrong
    it raises ``InvalidInput`` listing every bad row as ``第N行`` unless ``raise_on_errors`` is
    false (the designer page shows the table instead).
    """
    source = _read(content, filename)
    headers = [_text(h) for h in (source.headers or [])]
    missing = [h for h in HEADERS if h not in headers]
    if missing:
        raise InvalidInput("表头缺少：" + "、".join(missing) + "。请以导出的目录文件为模板")
    dataset, numbers = tablib.Dataset(headers=headers), []
    for number, row in enumerate(source, start=2):  # row 1 is the header
        if any(_text(c) for c in row):
            dataset.append(row)
            numbers.append(number)
    resource = CatalogueResource(actor=actor, row_numbers=numbers)
    result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True,
                                  rollback_on_validation_errors=True)
    if result.base_errors:
        raise InvalidInput("目录文件无法导入：" + "；".join(str(e.error) for e in result.base_errors))
    report = ImportReport(dry_run=dry_run)
    for index, (row, row_result) in enumerate(zip(dataset.dict, result.rows, strict=True)):
        outcome = OUTCOME[row_result.import_type]
        if outcome == "invalid":
            errors = _messages(row_result.validation_error)
        elif outcome == "error":
            errors = [f"系统错误：{e.error}" for e in row_result.errors]
        else:
            errors = []
        code = row_result.object_repr.split(" ", 1)[0] if outcome in ("new", "update", "skip") and \
            row_result.object_repr else _text(row.get(CODE_HEADER))
        report.rows.append(RowOutcome(numbers[index], code, _text(row.get("事项名称")), outcome, errors))
    if report.errors and raise_on_errors:
        raise InvalidInput(f"目录文件有 {len(report.errors)} 行错误，未导入任何数据", details=report.errors)
    return report


# --- Uploaded files between the dry run and the confirmation ---------------------------------

UPLOAD_FOLDER = "designer-catalogue-imports"
_stash = UploadStash(UPLOAD_FOLDER)
upload_stash, upload_read, upload_remove = _stash.save, _stash.read, _stash.remove


def uploads_purge(*, now: dt.datetime | None = None) -> list[str]:
    """Remove stashed catalogue uploads older than a day (``core.uploads.UPLOAD_KEPT``)."""
    return _stash.purge(now=now)
