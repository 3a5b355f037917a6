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


def _staged_row(user) -> tuple[tablib.Dataset, int, list[str]]:
    data = exported(user)
    index = next(i for i, r in enumerate(data.dict) if r["事项编码"] == "JB-WJ-XK-0001")
    return data, index, data[index][HEADERS.index("申请材料")].splitlines()


def _with_materials(data: tablib.Dataset, index: int, lines: list[str]) -> bytes:
    row = list(data[index])
    row[HEADERS.index("申请材料")] = "\n".join(lines)
    data[index] = row
    return as_csv(data)


def test_staged_items_materials_go_back_to_their_stage(demo):
    data, index, lines = _staged_row(demo.multi)
    assert "【变更】原公共场所卫生许可证（原件，1份）" in lines
    before = ApprovalItem.objects.get(code="JB-WJ-XK-0001").definition
    unchanged = catalogue_import(actor=demo.multi, content=as_csv(data), filename="c.csv", dry_run=True)
    assert unchanged.unchanged == ["JB-WJ-XK-0001"]
    lines[lines.index("【变更】原公共场所卫生许可证（原件，1份）")] = "【变更】变更事项说明"
    content = _with_materials(data, index, lines)
    report = catalogue_import(actor=demo.multi, content=content, filename="c.csv", dry_run=True)
    assert report.updated == ["JB-WJ-XK-0001"]
    assert ApprovalItem.objects.get(code="JB-WJ-XK-0001").definition == before  # the dry run saved nothing
    catalogue_import(actor=demo.multi, content=content, filename="c.csv", dry_run=False)
    after = ApprovalItem.objects.get(code="JB-WJ-XK-0001").definition
    names = {s["name"]: [m["name"] for m in s["materials"]] for s in after["stages"]}
    assert names["变更"] == ["卫生许可证申请表", "法定代表人或者负责人身份证明", "变更事项说明"]
    assert after["stages"][1]["materials"][:2] == before["stages"][1]["materials"][:2]  # details kept
    assert after["stages"][0] == before["stages"][0] and after["stages"][2] == before["stages"][2]
    assert after["materials"] == []


def test_a_material_line_naming_an_unknown_stage_is_refused_with_nothing_saved(demo):
    data, index, lines = _staged_row(demo.multi)
    first = list(data[index])
    first[HEADERS.index("收费")] = "改过的收费"
    data[index] = first
    lines[0] = lines[0].replace("【新办】", "【补领】")
    with pytest.raises(InvalidInput) as caught:
        catalogue_import(actor=demo.multi, content=_with_materials(data, index, lines), filename="c.csv",
                         dry_run=False)
    assert caught.value.details == {f"第{index + 2}行": [
        "申请材料：第1条材料“【补领】卫生许可证申请表（原件，1份）”的阶段“补领”不存在，本事项的阶段为：新办、变更、延续、注销"]}
    item = ApprovalItem.objects.get(code="JB-WJ-XK-0001")
    assert item.state == "published" and item.definition == item.current_version.document


def test_a_staged_items_line_without_a_stage_is_refused(demo):
    data, index, lines = _staged_row(demo.multi)
    lines.append("其他材料")
    with pytest.raises(InvalidInput) as caught:
        catalogue_import(actor=demo.multi, content=_with_materials(data, index, lines), filename="c.csv",
                         dry_run=True)
    assert caught.value.details == {f"第{index + 2}行": [
        f"申请材料：第{len(lines)}条材料“其他材料”未写明阶段：本事项分阶段办理，每条材料应以【阶段名称】开头（新办、变更、延续、注销）"]}


def test_a_stage_named_on_an_item_without_stages_is_refused(demo):
    data = exported(demo.editor)
    row = list(data[0])
    row[HEADERS.index("申请材料")] += "\n【变更】变更申请书"
    data[0] = row
    with pytest.raises(InvalidInput) as caught:
        catalogue_import(actor=demo.editor, content=as_csv(data), filename="c.csv", dry_run=True)
    (messages,) = caught.value.details.values()
    assert messages == [f"申请材料：第{len(row[HEADERS.index('申请材料')].splitlines())}条材料“【变更】变更申请书”"
                        "写有阶段“变更”，但本事项未分阶段"]
