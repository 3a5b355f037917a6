"""A stage with a form of its own: applications for it are validated against that form, its pages
and blank form show it, its rules are checked against it, and bundles carry it exactly."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.test import Client
from pypdf import PdfReader

from core.errors import InvalidInput
from designer import services as designer
from designer.bundles import export_bundle_text
from designer.models import ApprovalItem, ItemVersion
from designer.selectors import applicable_units, form_validator_for_version
from runtime import services

from . import factories

pytestmark = pytest.mark.django_db

CODE = factories.STAGED_CODE
CANCEL = f"{CODE}-04"


@pytest.fixture
def staged(demo):
    return factories.publish(factories.staged_definition())


def apply(demo, item, unit, data, materials=("application",)):
    return services.case_submit(actor=demo.zhangsan, item=item, unit_code=unit, form_data=data,
                                materials=[services.MaterialInput(k, f"{k}.pdf", factories.PDF) for k in materials])


def test_applying_for_the_cancel_stage_validates_against_its_own_form(demo, staged):
    with pytest.raises(InvalidInput) as refused:
        apply(demo, staged, CANCEL, {"company": "江滨区示范餐饮有限公司"})
    assert set(refused.value.details) == {"$.cancel_reason"}  # not the item form's business or amount

    with pytest.raises(InvalidInput) as refused:
        apply(demo, staged, CANCEL, {"company": "江滨区示范餐饮有限公司", "cancel_reason": "其他"})
    assert set(refused.value.details) == {"$.other_reason", "materials.proof"}

    case = apply(demo, staged, CANCEL, {"company": "江滨区示范餐饮有限公司", "cancel_reason": "歇业"})
    assert case.unit_code == CANCEL and case.form_data == {"company": "江滨区示范餐饮有限公司", "cancel_reason": "歇业"}

    # the 新办 stage still uses the item's form
    with pytest.raises(InvalidInput) as refused:
        apply(demo, staged, f"{CODE}-01", {"company": "江滨区示范餐饮有限公司", "cancel_reason": "歇业"})
    assert {"$.business", "$.amount"} <= set(refused.value.details)
    assert apply(demo, staged, f"{CODE}-01", factories.good_data()).unit_code == f"{CODE}-01"


def test_each_unit_has_its_own_validator(demo, staged):
    version = staged.current_version
    units = {u.code: u for u in applicable_units(version.document)}
    assert units[CANCEL].own_form and not units[f"{CODE}-01"].own_form
    assert units[f"{CODE}-01"].form == version.document["form"]
    assert "$.cancel_reason" in form_validator_for_version(version, CANCEL).errors({"company": "甲"})
    assert "$.cancel_reason" not in form_validator_for_version(version, f"{CODE}-01").errors({"company": "甲"})


def test_pages_render_the_stages_form(demo, staged):
    applicant = Client()
    applicant.force_login(demo.zhangsan)
    page = applicant.get(f"/hall/items/{CODE}/apply/?unit={CANCEL}").content.decode()
    assert "注销原因" in page and "经营项目" not in page
    page = applicant.get(f"/hall/items/{CODE}/apply/?unit={CODE}-01").content.decode()
    assert "经营项目" in page and "注销原因" not in page
    clerk = Client()
    clerk.force_login(demo.clerk)
    page = clerk.get(f"/workbench/intake/{CODE}/?unit={CANCEL}").content.decode()
    assert "注销原因" in page and "经营项目" not in page
    guide = Client().get(f"/hall/items/{CODE}/").content.decode()
    assert "申请表填写项目（本阶段单独的申请表）" in guide and "经营者名称、注销原因、其他原因说明" in guide


def test_the_blank_form_of_the_stage_lists_its_fields(demo, staged):
    pdf = Client().get(f"/hall/items/{CODE}/application-form.pdf?unit={CANCEL}").content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
    assert "食品经营许可（注销）申请表" in text
    assert "注销原因*" in text and "□迁出本区" in text and "其他原因说明*（如适用）" in text
    assert "经营项目" not in text and "投资金额" not in text


def test_a_bundle_with_a_stage_form_round_trips_exactly(demo, staged):
    first = export_bundle_text(staged)
    assert '"form"' in first.split('"stages"')[1]
    ApprovalItem.objects.filter(pk=staged.pk).update(current_version=None)
    ItemVersion.objects.filter(item=staged).delete()
    ApprovalItem.objects.filter(pk=staged.pk).delete()
    item, version = designer.bundle_import(actor=None, bundle=json.loads(first))
    assert version is not None and export_bundle_text(item) == first


def test_an_invalid_stage_form_is_refused_with_its_path_and_nothing_saved(demo, staged):
    item = ApprovalItem.objects.get(code=CODE)
    before = copy.deepcopy(item.definition)
    doc = copy.deepcopy(before)
    form = doc["stages"][1]["form"]
    form["schema"]["properties"]["seal"] = {"title": "印章", "x-field": "stamp", "type": "string"}
    form["schema"]["required"].append("nothing")
    with pytest.raises(InvalidInput) as refused:
        designer.item_update(actor=demo.editor, item=item, definition=doc)
    assert {"$.stages[1].form.schema.properties.seal.x-field",
            "$.stages[1].form.schema.required[3]"} <= set(refused.value.details)
    item.refresh_from_db()
    assert item.definition == before and item.state == "published"


def test_the_stages_rules_read_the_stages_form(demo, staged):
    """A material condition or transition of the stage naming a field only the item's form has is
    refused; the same names are fine for the stage that uses the item's form."""
    item = ApprovalItem.objects.get(code=CODE)
    doc = copy.deepcopy(item.definition)
    doc["stages"][1]["materials"][1]["condition"] = {"==": [{"var": "business"}, "自动售货设备"]}
    doc["stages"][1]["workflow"]["steps"][0]["transitions"][0]["when"] = {">": [{"var": "amount"}, 1000]}
    with pytest.raises(InvalidInput) as refused:
        designer.item_update(actor=demo.editor, item=item, definition=doc)
    paths = set(refused.value.details)
    assert any(p.startswith("$.stages[1].materials[1].condition") for p in paths), paths
    assert any(p.startswith("$.stages[1].workflow.steps[0].transitions[0].when") for p in paths), paths
    assert not any(p.startswith("$.stages[0]") for p in paths), paths
    # an upload field of the stage's form refers to the stage's own materials
    doc = copy.deepcopy(item.definition)
    doc["stages"][1]["form"]["schema"]["properties"]["scan"] = {
        "title": "扫描件", "x-field": "upload", "type": "string", "format": "file-ref", "x-material": "vending"}
    with pytest.raises(InvalidInput) as refused:
        designer.item_update(actor=demo.editor, item=item, definition=doc)
    assert "$.stages[1].form.schema.properties.scan.x-material" in refused.value.details
