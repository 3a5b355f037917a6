"""The returns the legal office files with the city's efficiency office (报市效能办备案).

The seed names four: 全区审批项目统计表 (the district's items counted by department and online
class A–D), 区各单位组织机构代码一览表 (the units with their codes), 区各单位审批项目明细 (every
item's catalogue facts) and 各审批项目办理流程图 (every item's flowchart, SVG and PDF, zipped).

They describe the items in service as their *current published version* says
(:func:`designer.selectors.items_in_service`), drafts ignored. Confidential items are included
and marked: the returns go to the city's efficiency office, not to the public (the public
catalogue is :func:`~designer.selectors.public_catalogue`). Every text cell passes through
``core.spreadsheets.neutralise``. A staged item is filed as one flowchart per stage, each stage
being an approval item of its own for the applicant (the seed: 细分各审批项目).
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import Department
from core.spreadsheets import XLSX_TYPE, neutralise

from .flow import flow_of_unit
from .flow_print import flow_pdf, flow_svg
from .models import ApprovalItem, HandlingType, ItemType, OnlineClass
from .selectors import applicable_units, items_in_service


@dataclass(frozen=True)
class Return:
    key: str
    title: str
    filename: str
    content_type: str
    build: object  # () -> bytes


def _items() -> list[ApprovalItem]:
    return list(items_in_service().select_related("department", "current_version").order_by("department__sort_order",
                                                                                             "code"))


def _workbook(title: str, header: list[str], rows: list[list]) -> Workbook:
    book = Workbook()
    _sheet(book.active, title, header, rows)
    return book


def _sheet(sheet, title: str, header: list[str], rows: list[list]):
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(name) * 2 + 4)
    return sheet


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def online_status(document: dict, online_class: OnlineClass | None) -> str:
    """立即上网, 暂缓上网 or 不上网 (with why), as the filing asks."""
    if document["confidential"]:
        return "不上网（涉密）"
    if online_class is None:
        return "未分类"
    if online_class.deferred:
        return "暂缓上网"
    return "立即上网" if online_class.online else "不上网"


def statistics_xlsx() -> bytes:
    """全区审批项目统计表: per department, items by class A–D and how many are online, deferred,
    off-line or confidential; a second sheet lists the deferred items with reason and date."""
    classes = {c.letter: c for c in OnlineClass.objects.all()}
    letters = sorted(classes)
    counts: dict[str, Counter] = {}
    order: list[str] = []
    deferred_rows = []
    for item in _items():
        doc = item.current_version.document
        name = item.department.name
        if name not in counts:
            counts[name] = Counter()
            order.append(name)
        status = online_status(doc, classes.get(doc["online_class"]))
        counts[name].update([doc["online_class"], status, "total"])
        if doc["online_deferral"]:
            deferred_rows.append([item.code, doc["name"], name, f"{doc['online_class']}类",
                                  doc["online_deferral"]["reason"], doc["online_deferral"]["planned_date"]])
    statuses = ["立即上网", "暂缓上网", "不上网", "不上网（涉密）"]
    header = ["序号", "实施部门"] + [f"{letter}类" for letter in letters] + statuses + ["合计"]
    rows = [[i, name] + [counts[name][k] for k in letters + statuses] + [counts[name]["total"]]
            for i, name in enumerate(order, start=1)]
    total = sum(counts.values(), Counter())
    rows.append(["", "全区合计"] + [total[k] for k in letters + statuses] + [total["total"]])
    book = _workbook("全区审批项目统计表", header, rows)
    _sheet(book.create_sheet(), "暂缓上网事项", ["事项编码", "事项名称", "实施部门", "网上办理类别", "暂缓理由",
                                                "计划上网日期"], deferred_rows)
    _sheet(book.create_sheet(), "类别说明", ["类别", "名称", "含义"],
           [[f"{c.letter}类", c.name, c.meaning] for c in classes.values()])
    return _bytes(book)


def units_xlsx() -> bytes:
    """区各单位组织机构代码一览表: the district and its departments (the legal persons that hold a
    unified social credit code; sections are parts of their department)."""
    units = (Department.objects.filter(kind__in=[Department.Kind.DISTRICT, Department.Kind.DEPARTMENT])
             .select_related("parent").order_by("sort_order", "code"))
    rows = [[i, d.name, d.short_name, d.get_kind_display(), d.parent.name if d.parent_id else "", d.code,
             d.credit_code or "", d.address, d.phone, "是" if d.is_active else "否"]
            for i, d in enumerate(units, start=1)]
    return _bytes(_workbook("区各单位组织机构代码一览表", ["序号", "单位名称", "简称", "层级", "上级单位", "机构编码",
                                                     "统一社会信用代码", "办公地址", "联系电话", "启用"], rows))


def details_xlsx() -> bytes:
    """区各单位审批项目明细: one row per item (a staged item's stages on rows of their own)."""
    classes = {c.letter: c for c in OnlineClass.objects.all()}
    item_types, handling = dict(ItemType.choices), dict(HandlingType.choices)
    rows = []
    for item in _items():
        doc, version = item.current_version.document, item.current_version
        public = doc["public"]
        deferral = doc["online_deferral"] or {}
        for unit in applicable_units(doc):
            rows.append([len(rows) + 1, unit.code, unit.name, item.department.name, item_types.get(doc["item_type"], ""),
                         handling.get(doc["handling_type"], ""), f"{doc['online_class']}类",
                         online_status(doc, classes.get(doc["online_class"])), deferral.get("reason", ""),
                         deferral.get("planned_date", ""), "是" if doc["confidential"] else "否",
                         unit.statutory_limit_days, unit.promised_limit_days, public["legal_basis"],
                         public["conditions"], public["certificate"]["name"], public["certificate"]["validity"],
                         public["fees"], public["accepting_office"]["name"], public["deciding_authority"],
                         "；".join(m["name"] for m in unit.materials), f"第{version.number}版",
                         version.published_at.date().isoformat()])
    header = ["序号", "事项编码", "事项名称", "实施部门", "事项类型", "办件类型", "网上办理类别", "上网情况", "暂缓理由",
              "计划上网日期", "涉密", "法定时限（工作日）", "承诺时限（工作日）", "设定依据", "审批条件", "证件名称",
              "有效期", "收费", "受理机构", "决定机关", "申请材料", "现行版本", "发布日期"]
    return _bytes(_workbook("区各单位审批项目明细", header, rows))


def flowcharts_zip() -> bytes:
    """各审批项目办理流程图: ``<编码>.svg`` and ``<编码>.pdf`` for every item (or stage) in service."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        departments = dict(Department.objects.values_list("code", "name"))
        for item in _items():
            document = item.current_version.document
            for unit in applicable_units(document):
                if not unit.workflow:
                    continue
                # the guide's drawing (designer.flow), placed on paper by designer.flow_print
                flow = flow_of_unit(document, unit, departments=departments, public=True)
                archive.writestr(f"{unit.code}.svg", flow_svg(flow))
                archive.writestr(f"{unit.code}.pdf", flow_pdf(f"{unit.code} {unit.name} 办理流程图", flow))
    return out.getvalue()


RETURNS = {r.key: r for r in [
    Return("statistics", "全区审批项目统计表", "statistics.xlsx", XLSX_TYPE, statistics_xlsx),
    Return("units", "区各单位组织机构代码一览表", "units.xlsx", XLSX_TYPE, units_xlsx),
    Return("details", "区各单位审批项目明细", "item-details.xlsx", XLSX_TYPE, details_xlsx),
    Return("flowcharts", "各审批项目办理流程图（SVG 和 PDF）", "flowcharts.zip", "application/zip", flowcharts_zip),
]}
