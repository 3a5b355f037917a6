"""The blank application form: a printable PDF generated from each published unit's form."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.test import Client
from pypdf import PdfReader

from designer.models import ApprovalItem
from runtime.blank_forms import blank_form_pdf
from runtime.definitions import definition_for

from . import factories

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\u3000", "")


def guide_client(demo) -> Client:
    client = Client()
    client.force_login(demo.zhangsan)
    return client


def test_demo_item_form_prints_every_field_in_order_with_choices_tables_and_materials(demo):
    response = Client().get("/hall/items/JB-SCJG-XK-0001/application-form.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    text = text_of(pdf)
    titles = ["经营者名称*", "统一社会信用代码*", "法定代表人（负责人）*", "经营场所*", "经营项目*",
              "自动售货设备清单*（如适用）", "食品安全管理人员", "是否委托代理人办理*", "代理人姓名*（如适用）"]
    positions = [text.index(t) for t in titles]
    assert positions == sorted(positions)  # the UI schema's order
    for expected in ["食品经营许可（新办）申请表", "事项编码：JB-SCJG-XK-0001", "江滨区市场监督管理局",
                     "□散装食品销售", "□自动售货设备销售", "（可多选）", "□否", "□是",
                     "18位，系统自动核对校验位",  # help text
                     "所附材料", "食品经营许可申请书（必交；", "授权委托书及代理人身份证明（视申请情况提交；",
                     "申请人（签名或盖章）", "年月日"]:
        assert expected in text, expected


def test_repeating_table_prints_its_column_titles(demo):
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    form = item.current_version.document["form"]
    columns = form["schema"]["properties"]["safety_staff"]["items"]["properties"]
    text = text_of(Client().get(f"/hall/items/{item.code}/application-form.pdf").content)
    for column in columns.values():
        assert column["title"] in text, column["title"]


def test_each_stage_has_its_own_form_with_the_stage_name(demo):
    client = Client()
    changed = client.get("/hall/items/JB-WJ-XK-0001/application-form.pdf?unit=JB-WJ-XK-0001-02")
    assert changed.status_code == 200
    text = text_of(changed.content)
    assert "公共场所卫生许可（变更）申请表" in text and "单位名称*" in text and "□单位名称" in text
    assert "原公共场所卫生许可证（必交；原件，纸质或电子；1份）" in text  # the stage's own materials
    filename = quote("公共场所卫生许可（变更）申请表.pdf")
    assert changed["Content-Disposition"] == f"inline; filename*=utf-8''{filename}"
    # A staged item needs its stage; an unknown stage is not found either.
    assert client.get("/hall/items/JB-WJ-XK-0001/application-form.pdf").status_code == 404
    assert client.get("/hall/items/JB-WJ-XK-0001/application-form.pdf?unit=nope").status_code == 404


def test_same_definition_same_bytes(demo):
    item = ApprovalItem.objects.get(code="JB-ZRZY-XK-0001")
    definition = definition_for(item.current_version, "JB-ZRZY-XK-0001-01")
    first = blank_form_pdf(definition, department_name="江滨区自然资源局")
    assert first == blank_form_pdf(definition, department_name="江滨区自然资源局")


def test_confidential_and_unknown_items_are_not_found(demo):
    secret = factories.publish(factories.definition("JB-SCJG-XK-0004", name="保密事项", confidential=True))
    client = guide_client(demo)
    assert client.get(f"/hall/items/{secret.code}/application-form.pdf").status_code == 404
    assert client.get("/hall/items/JB-ZRZY-XK-0002/application-form.pdf").status_code == 404  # demo, 涉密
    assert client.get("/hall/items/NO-SUCH/application-form.pdf").status_code == 404


def test_guide_lists_the_blank_form_of_each_unit_before_the_designers_links(demo):
    doc = factories.definition("JB-SCJG-XK-0003", name="带下载的事项")
    doc["public"]["downloads"] = [{"name": "申请书样表", "url": "/static/forms/sample.pdf"}]
    shown = factories.publish(doc)
    page = guide_client(demo).get(f"/hall/items/{shown.code}/").content.decode()
    link = f"/hall/items/{shown.code}/application-form.pdf?unit={shown.code}"
    assert link in page and "申请表（空白，可打印填写）" in page
    assert page.index(link) < page.index("申请书样表")

    staged = guide_client(demo).get("/hall/items/JB-WJ-XK-0001/").content.decode()
    for stage in ("01", "02", "03"):
        assert f"application-form.pdf?unit=JB-WJ-XK-0001-{stage}" in staged
    assert "申请表（空白，可打印填写）：公共场所卫生许可（延续）" in staged


def test_long_forms_continue_on_further_pages(demo):
    doc = factories.definition("JB-SCJG-XK-0005", name="很多字段的事项")
    form = doc["form"]
    for i in range(40):
        form["schema"]["properties"][f"extra{i}"] = {"title": f"附加项目{i}", "x-field": "textarea",
                                                     "type": "string", "maxLength": 200}
    shown = factories.publish(doc)
    reader = PdfReader(io.BytesIO(Client().get(f"/hall/items/{shown.code}/application-form.pdf").content))
    assert len(reader.pages) >= 3
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "附加项目39" in text and "第3页" in text
