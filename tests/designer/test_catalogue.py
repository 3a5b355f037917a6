"""The catalogue spreadsheet: export, dry run with row-by-row errors, all-or-nothing import."""

from __future__ import annotations

import io

import pytest
import tablib
from rest_framework.test import APIClient

from core.errors import InvalidInput
from designer.catalogue import HEADERS, catalogue_import, export_catalogue
from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db


def exported(user, file_format="csv") -> tablib.Dataset:
    from designer.selectors import items_for

    content = export_catalogue(items_for(user), file_format=file_format)
    if file_format == "csv":
        return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    return tablib.Dataset().load(io.BytesIO(content), format="xlsx")


def as_csv(dataset: tablib.Dataset) -> bytes:
    return dataset.export("csv").encode("utf-8")


def test_export_has_every_public_element_and_materials(demo):
    data = exported(demo.legal, "xlsx")
    assert list(data.headers) == HEADERS and len(data) == 5
    food = next(r for r in data.dict if r["事项编码"] == "JB-SCJG-XK-0001")
    assert food["事项类型"] == "行政许可" and food["办件类型"] == "承诺件" and food["涉密"] == "否"
    assert "自动售货设备的放置地点、许可证展示方式和食品安全风险管控方案（原件，1份，符合条件时提交）" in food["申请材料"]


def test_dry_run_changes_nothing_and_real_run_makes_drafts(demo):
    data = exported(demo.editor)
    row = list(data[0])
    row[HEADERS.index("收费")] = "不收费（含证书工本费）"
    row[HEADERS.index("申请材料")] += "\n食品安全管理人员培训合格证明"
    data[0] = row
    report = catalogue_import(actor=demo.editor, content=as_csv(data), filename="c.csv", dry_run=True)
    assert report.updated == ["JB-SCJG-XK-0001"] and report.created == []
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    assert item.state == "published" and item.definition["public"]["fees"] == "不收费"
    catalogue_import(actor=demo.editor, content=as_csv(data), filename="c.csv", dry_run=False)
    item.refresh_from_db()
    assert item.state == "draft" and item.definition["public"]["fees"] == "不收费（含证书工本费）"
    assert item.definition["materials"][-1]["name"] == "食品安全管理人员培训合格证明"
    assert item.definition["materials"][-2]["condition"] is not None  # details of known materials are kept
    assert item.current_version.document["public"]["fees"] == "不收费"  # the live version is untouched


def test_new_row_without_code_gets_the_next_code(demo):
    data = exported(demo.editor)
    row = list(data[1])
    row[0], row[1] = "", "个体工商户变更登记"
    data.append(row)
    report = catalogue_import(actor=demo.editor, content=as_csv(data), filename="c.csv", dry_run=False)
    assert report.created == ["JB-SCJG-XK-0003"]
    assert ApprovalItem.objects.get(code="JB-SCJG-XK-0003").name == "个体工商户变更登记"


def test_duplicate_code_and_bad_rows_are_reported_and_nothing_is_imported(demo):
    data = exported(demo.editor)
    first = list(data[0])
    first[HEADERS.index("收费")] = "改过的收费"
    data[0] = first
    duplicate = list(data[1])
    duplicate[0] = "JB-SCJG-XK-0001"
    data[1] = duplicate
    too_long = list(first)
    too_long[0], too_long[HEADERS.index("承诺时限（工作日）")] = "", "99"
    data.append(too_long)
    with pytest.raises(InvalidInput) as caught:
        catalogue_import(actor=demo.editor, content=as_csv(data), filename="c.csv", dry_run=False)
    assert caught.value.details == {
        "第3行": ["事项编码：“JB-SCJG-XK-0001”与第2行重复"],
        "第4行": ["承诺时限（工作日）：承诺时限（99个工作日）不能超过法定时限（10个工作日）"],
    }
    assert ApprovalItem.objects.get(code="JB-SCJG-XK-0001").definition["public"]["fees"] == "不收费"
    assert ApprovalItem.objects.count() == 5


def test_editor_cannot_import_another_departments_rows(demo):
    data = exported(demo.legal)
    with pytest.raises(InvalidInput) as caught:
        catalogue_import(actor=demo.editor, content=as_csv(data), filename="c.csv", dry_run=True)
    assert any("卫生健康局" in m for ms in caught.value.details.values() for m in ms)


def test_catalogue_over_the_api(demo):
    client = APIClient()
    client.force_authenticate(demo.editor)
    response = client.get("/api/v1/designer/catalogue/", {"file_format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    upload = io.BytesIO(response.content)
    upload.name = "catalogue.csv"
    result = client.post("/api/v1/designer/catalogue/import/", {"file": upload, "dry_run": True}, format="multipart")
    assert result.status_code == 200 and result.json() == {"dry_run": True, "created": [], "updated": []}
