"""Units (district, departments, sections) from a spreadsheet, one row per unit.

A row whose code exists updates that unit; otherwise it creates one. A parent may be a unit
already in the system or one in an earlier row of the same sheet. Every row passes the model's
own validation (``Department.clean``: which kind sits under which; the unified social credit
code by its check digit, ``accounts.identity``). Applying the same sheet twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import services
from ..access import require_role
from ..models import Department, Role, User
from .sheets import Column, ImportPlan, Row, RowPlan, read_sheet, refuse_if_wrong, write_sheet

COLUMNS = [
    Column("code", "机构编码", True, "大写字母、数字和连字符，例如 JB-SCJG；已存在的编码表示修改该单位"),
    Column("name", "名称", True),
    Column("short_name", "简称"),
    Column("kind", "层级", True, "区人民政府、部门或科室"),
    Column("parent", "上级单位编码", False, "部门的上级为区人民政府，科室的上级为部门；可以是本表前面行中的单位"),
    Column("credit_code", "统一社会信用代码", False, "18位，按国家标准校验位检查；区政府与部门应填写，科室可不填"),
    Column("address", "办公地址"),
    Column("phone", "联系电话"),
    Column("sort_order", "排序", False, "数字小的排在前面"),
]
FIELDS = ["name", "short_name", "kind", "parent", "credit_code", "address", "phone", "sort_order"]
KIND_BY_NAME = {k.label: k.value for k in Department.Kind} | {k.value: k.value for k in Department.Kind}


@dataclass
class _Wanted:
    row: Row
    unit: Department  # the existing unit changed in memory, or a new unsaved one
    existing: bool
    fields: dict


def template() -> bytes:
    examples = [["JB-WJ", "江滨区卫生健康局", "卫健局", "部门", "JB", "11330106002491326H", "江滨区健康路6号",
                 "0571-86003456", 30],
                ["JB-WJ-GGWS", "公共卫生科", "", "科室", "JB-WJ", "", "", "", 32]]
    return write_sheet(COLUMNS, examples, title="单位", notes=["示例两行请删除后再填写。"])


def export_current() -> bytes:
    rows = [[d.code, d.name, d.short_name, d.get_kind_display(), d.parent.code if d.parent_id else "",
             d.credit_code or "", d.address, d.phone, d.sort_order]
            for d in Department.objects.select_related("parent").order_by("sort_order", "code")]
    return write_sheet(COLUMNS, rows, title="单位")


def _read(rows: list[Row]) -> list[_Wanted]:
    known = {d.code: d for d in Department.objects.select_related("parent")}
    in_sheet: dict[str, tuple[int, Department]] = {}
    credit_codes = {d.credit_code: d.code for d in known.values() if d.credit_code}
    out = []
    for row in rows:
        code = row["code"]
        if code in in_sheet:
            row.refuse("code", f"机构编码与第{in_sheet[code][0]}行重复")
        kind = KIND_BY_NAME.get(row["kind"])
        if row["kind"] and kind is None:
            row.refuse("kind", "层级应为“区人民政府”“部门”或“科室”")
        parent = None
        if row["parent"]:
            parent = in_sheet[row["parent"]][1] if row["parent"] in in_sheet else known.get(row["parent"])
            if parent is None:
                row.refuse("parent", f"没有编码为“{row['parent']}”的单位（新单位须写在其下级单位之前）")
        sort_order = 0
        if row["sort_order"]:
            try:
                sort_order = int(row["sort_order"])
            except ValueError:
                row.refuse("sort_order", "排序应为整数")
        credit_code = row["credit_code"].upper() or None
        if credit_code and credit_codes.get(credit_code, code) != code:
            row.refuse("credit_code", f"该统一社会信用代码已属于单位“{credit_codes[credit_code]}”")
        fields = {"name": row["name"], "short_name": row["short_name"], "kind": kind, "parent": parent,
                  "credit_code": credit_code, "address": row["address"], "phone": row["phone"],
                  "sort_order": sort_order}
        existing = known.get(code)
        unit = existing if existing is not None else Department(code=code)
        before = {name: getattr(unit, name) for name in FIELDS} if existing is not None else None
        if kind is not None:
            for name, value in fields.items():
                setattr(unit, name, value)
        if kind is not None and not row.problems:
            try:
                # The parent may be a unit of this sheet, not saved yet: its existence is checked above.
                unit.full_clean(exclude=["parent"], validate_unique=False)  # codes: checked above
            except ValidationError as exc:
                row.refuse_validation(exc)
        if before is not None:
            for name, value in before.items():  # a dry run leaves the unit as it was
                setattr(unit, name, value)
        if credit_code:
            credit_codes.setdefault(credit_code, code)
        in_sheet.setdefault(code, (row.number, unit if existing is None else existing))
        out.append(_Wanted(row, unit, existing is not None, fields))
    return out


def _plan_row(wanted: _Wanted) -> RowPlan:
    row, unit = wanted.row, wanted.unit
    if not wanted.existing:
        return RowPlan(row.number, row["code"], row["name"], "create", [f"新建{Department.Kind(wanted.fields['kind']).label}"])
    labels = {c.key: c.title for c in COLUMNS}
    changes = []
    for name, value in wanted.fields.items():
        before = getattr(unit, name)
        if before != value and not (before in ("", None) and value in ("", None)):
            shown = {"parent": lambda d: d.code if d else "", "kind": lambda k: Department.Kind(k).label}.get(name, str)
            changes.append(f"{labels[name]}：{shown(before) if before not in ('', None) else '（空）'} → "
                           f"{shown(value) if value not in ('', None) else '（空）'}")
    return RowPlan(row.number, row["code"], row["name"], "update" if changes else "unchanged", changes)


def _checked(content: bytes) -> list[_Wanted]:
    wanted = _read(read_sheet(content, COLUMNS))
    refuse_if_wrong([w.row for w in wanted])
    return wanted


def department_import_plan(*, actor: User | None, content: bytes) -> ImportPlan:
    require_role(actor, Role.SYSTEM_ADMIN)
    return ImportPlan([_plan_row(w) for w in _checked(content)])


@transaction.atomic
def department_import(*, actor: User | None, content: bytes) -> ImportPlan:
    """Apply the sheet, every row checked again, all or nothing; parents before children."""
    require_role(actor, Role.SYSTEM_ADMIN)
    wanted = _checked(content)
    plan = ImportPlan([_plan_row(w) for w in wanted])
    saved: dict[str, Department] = {}
    for item, row_plan in zip(wanted, plan.rows, strict=True):
        fields = dict(item.fields)
        if fields["parent"] is not None and fields["parent"].pk is None:
            fields["parent"] = saved[fields["parent"].code]
        if row_plan.action == "create":
            saved[row_plan.key] = services.department_create(actor=actor, code=row_plan.key, **fields)
        elif row_plan.action == "update":
            saved[row_plan.key] = services.department_update(actor=actor, department=item.unit, **fields)
    return plan
