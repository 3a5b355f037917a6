"""The legal office's returns for the city: statistics, units, item details, flowcharts."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def district(demo):
    """The demo district plus one deferred (class C) item whose name looks like a formula."""
    from designer.services import bundle_import

    bundle = json.loads((ROOT / "fixtures/demo/items/JB-SCJG-XK-0002.json").read_text(encoding="utf-8"))
    item = bundle["item"]
    item.update(code="JB-ZJ-XK-0001", department="JB-ZJ", name="=1+2 建筑业企业资质核准", online_class="C",
                online_deferral={"reason": "需与省建筑市场监管平台对接", "planned_date": "2026-12-31"})
    bundle_import(actor=None, bundle=bundle)
    return demo


def download(client, user, key):
    client.force_login(user)
    response = client.get("/designer/returns/", {"download": key})
    assert response.status_code == 200
    return b"".join(response) if response.streaming else response.content


def rows(content: bytes, sheet: int = 0) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).worksheets[sheet].iter_rows(values_only=True)]


def test_the_statistics_count_items_by_department_and_class_with_the_deferred_listed(client, district):
    content = download(client, district.legal, "statistics")
    table = rows(content)
    header = table[0]
    assert header[:6] == ["序号", "实施部门", "A类", "B类", "C类", "D类"]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in table[1:]}
    assert by_name["江滨区市场监督管理局"]["A类"] == 2
    assert by_name["江滨区自然资源局"]["D类"] == 1 and by_name["江滨区自然资源局"]["不上网（涉密）"] == 1
    assert by_name["江滨区住房和城乡建设局"]["暂缓上网"] == 1
    assert by_name["全区合计"]["合计"] == 6
    assert rows(content, 1)[1] == ["JB-ZJ-XK-0001", "'=1+2 建筑业企业资质核准", "江滨区住房和城乡建设局", "C类",
                                   "需与省建筑市场监管平台对接", "2026-12-31"]


def test_the_units_list_has_every_department_with_its_credit_code(client, district):
    table = rows(download(client, district.legal, "units"))
    codes = {r[5]: r[6] for r in table[1:]}
    assert codes["JB"] == "11330106002491000U" and codes["JB-SCJG"] == "113301060024912108"
    assert "JB-SCJG-SPXK" not in codes  # sections are parts of their department


def test_the_item_details_list_confidential_items_and_every_stage(client, district):
    table = rows(download(client, district.legal, "details"))
    details = {r[1]: dict(zip(table[0], r, strict=True)) for r in table[1:]}
    assert details["JB-ZRZY-XK-0002"]["涉密"] == "是" and details["JB-ZRZY-XK-0002"]["上网情况"] == "不上网（涉密）"
    assert details["JB-SCJG-XK-0001"]["上网情况"] == "立即上网"
    assert details["JB-SCJG-XK-0001"]["设定依据"].startswith("《中华人民共和国食品安全法》")
    assert sum(code.startswith("JB-WJ-XK-0001-") for code in details) == 4  # the four stages
    assert details["JB-ZJ-XK-0001"]["事项名称"] == "'=1+2 建筑业企业资质核准"


def test_the_flowcharts_come_as_svg_and_pdf_for_every_item_and_render(client, district, tmp_path):
    from pypdf import PdfReader

    archive = zipfile.ZipFile(io.BytesIO(download(client, district.legal, "flowcharts")))
    names = set(archive.namelist())
    assert {"JB-SCJG-XK-0001.svg", "JB-SCJG-XK-0001.pdf", "JB-ZRZY-XK-0002.pdf", "JB-ZJ-XK-0001.svg"} <= names
    assert len([n for n in names if n.endswith(".pdf")]) == len([n for n in names if n.endswith(".svg")]) == 10
    assert {"JB-ZRZY-XK-0001-01.pdf", "JB-ZRZY-XK-0001-02.svg"} <= names  # 建设工程规划许可: 核发 and 补证
    svg = archive.read("JB-SCJG-XK-0001.svg").decode()
    assert svg.startswith("<?xml") and "现场核查" in svg
    pdf = archive.read("JB-SCJG-XK-0001.pdf")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    if shutil.which("pdftoppm") is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("未找到 pdftoppm（apt-get install poppler-utils）")
        pytest.skip("未找到 pdftoppm（apt-get install poppler-utils）")
    (tmp_path / "chart.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / "chart.pdf"), str(tmp_path / "chart")], check=True)
    image = next(tmp_path.glob("chart*.png"))
    assert image.stat().st_size > 5_000  # drawn, not blank


def test_only_the_legal_office_downloads_the_returns(client, district):
    client.force_login(district.editor)
    assert client.get("/designer/returns/", {"download": "statistics"}).status_code == 403
    client.force_login(district.legal)
    page = client.get("/designer/returns/")
    assert "全区审批项目统计表" in page.content.decode()
