"""JSON bundles: demo items load through import-and-publish, export/import round-trips exactly."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.errors import AccessDenied, InvalidInput
from designer.bundles import export_bundle_text
from designer.demo import demo_items_dir
from designer.models import ApprovalItem, CertificateType, ItemVersion, ServiceTheme
from designer.selectors import applicable_units, public_catalogue, required_materials
from designer.services import bundle_import, canonical_json

pytestmark = pytest.mark.django_db


def test_demo_items_are_published_by_load_demo(demo):
    codes = set(ApprovalItem.objects.filter(state="published").values_list("code", flat=True))
    assert codes == {"JB-SCJG-XK-0001", "JB-SCJG-XK-0002", "JB-WJ-XK-0001", "JB-ZRZY-XK-0001", "JB-ZRZY-XK-0002"}
    assert all(i.current_version.number == 1 for i in ApprovalItem.objects.all())


def test_load_demo_is_idempotent(demo):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert ItemVersion.objects.count() == 5


def test_demo_files_are_canonical_exports(demo):
    for path in sorted(demo_items_dir().glob("*.json")):
        code = path.stem
        assert export_bundle_text(ApprovalItem.objects.get(code=code)) == path.read_text(encoding="utf-8"), code


def test_confidential_item_never_in_the_public_catalogue(demo):
    public = set(public_catalogue().values_list("code", flat=True))
    assert "JB-ZRZY-XK-0002" not in public and "JB-SCJG-XK-0001" in public


def test_food_licence_materials_depend_on_business_type(demo):
    doc = ApprovalItem.objects.get(code="JB-SCJG-XK-0001").current_version.document
    (unit,) = applicable_units(doc)
    plain = {m["key"] for m in required_materials(unit.materials, {"business_types": ["热食类食品制售"]})}
    vending = {m["key"] for m in required_materials(unit.materials, {"business_types": ["自动售货设备销售"],
                                                                      "by_agent": "是"})}
    assert "vending" not in plain and "agent" not in plain
    assert {"vending", "agent"} <= vending


def test_staged_item_applies_per_stage(demo):
    doc = ApprovalItem.objects.get(code="JB-WJ-XK-0001").current_version.document
    assert [u.code for u in applicable_units(doc)] == [f"JB-WJ-XK-0001-{n}" for n in ("01", "02", "03", "04")]


def test_round_trip_into_an_empty_database_is_byte_identical(demo, tmp_path):
    call_command("export_item", "--all", "-o", str(tmp_path / "first"), stdout=open("/dev/null", "w"))
    ApprovalItem.objects.update(current_version=None)
    ItemVersion.objects.all().delete()
    ApprovalItem.objects.all().delete()
    CertificateType.objects.all().delete()
    ServiceTheme.objects.all().delete()  # an empty district: the bundles bring the themes they name
    assert not ApprovalItem.objects.exists()
    for path in sorted((tmp_path / "first").glob("*.json")):
        call_command("import_item", str(path), stdout=open("/dev/null", "w"))
    call_command("export_item", "--all", "-o", str(tmp_path / "second"), stdout=open("/dev/null", "w"))
    themed = json.loads((tmp_path / "first" / "JB-WJ-XK-0001.json").read_text(encoding="utf-8"))
    assert [t["code"] for t in themed["service_themes"]] == ["business_startup", "health"]
    assert dict(ServiceTheme.objects.values_list("code", "name")) == {
        "business_startup": "开办企业", "catering": "餐饮服务", "construction": "建设工程", "health": "医疗卫生",
        "natural_resources": "自然资源"}
    item = ApprovalItem.objects.get(code="JB-WJ-XK-0001")
    assert sorted(item.themes.values_list("code", flat=True)) == ["business_startup", "health"]
    first = sorted(p.name for p in (tmp_path / "first").glob("*.json"))
    assert first == sorted(p.name for p in (tmp_path / "second").glob("*.json")) and len(first) == 5
    for name in first:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_export_one_item_to_stdout_and_file(demo, tmp_path, capsys):
    call_command("export_item", "JB-SCJG-XK-0002")
    text = capsys.readouterr().out
    assert json.loads(text)["item"]["handling_type"] == "instant"
    call_command("export_item", "JB-SCJG-XK-0002", "-o", str(tmp_path / "one.json"))
    assert (tmp_path / "one.json").read_text(encoding="utf-8") == text
    with pytest.raises(CommandError, match="不存在"):
        call_command("export_item", "JB-NOPE-XK-0001")


def test_invalid_bundle_is_refused_whole(demo, tmp_path):
    bundle = json.loads((demo_items_dir() / "JB-SCJG-XK-0001.json").read_text(encoding="utf-8"))
    bundle["item"]["name"] = "食品经营许可（新办，改）"
    bundle["item"]["promised_limit_days"] = 30
    bundle["certificate_types"].append({"code": "NEW-CERT", "name": "新证照", "issuing_item": "", "validity_months": 12})
    path = tmp_path / "bad.json"
    path.write_text(canonical_json(bundle), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_item", str(path))
    assert "$.promised_limit_days" in str(caught.value)
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    assert item.name == "食品经营许可（新办）" and item.versions.count() == 1
    assert not CertificateType.objects.filter(code="NEW-CERT").exists()


def test_changed_bundle_publishes_a_new_version(demo):
    bundle = json.loads((demo_items_dir() / "JB-SCJG-XK-0002.json").read_text(encoding="utf-8"))
    bundle["item"]["public"]["fees"] = "不收费（不收取工本费）"
    item, version = bundle_import(actor=demo.legal, bundle=bundle)
    assert version.number == 2 and item.current_version == version
    assert bundle_import(actor=demo.legal, bundle=bundle) == (item, None)


def test_a_bundle_in_the_first_rule_set_shape_is_imported_as_it_meant(demo):
    """Exported before the cards named their limit: every card counted on the promised limit."""
    bundle = json.loads((demo_items_dir() / "JB-SCJG-XK-0002.json").read_text(encoding="utf-8"))
    bundle["item"]["supervision"] = {"yellow_card": {"overdue_days_up_to": 2}, "red_card": {"overdue_days_over": 2}}
    item, version = bundle_import(actor=demo.legal, bundle=bundle)
    assert version.document["supervision"] == {"yellow_card": {"limit": "promised", "overdue_days_over": 0},
                                               "red_card": {"limit": "promised", "overdue_days_over": 2}}


def _themed_bundle() -> dict:
    bundle = json.loads((demo_items_dir() / "JB-SCJG-XK-0002.json").read_text(encoding="utf-8"))
    bundle["item"]["themes"] = ["business_startup", "pet_care"]
    bundle["service_themes"].append({"code": "pet_care", "name": "宠物服务", "position": 15})
    return bundle


def test_a_theme_the_district_lacks_is_created_with_the_item(demo):
    item, version = bundle_import(actor=demo.legal, bundle=_themed_bundle())
    theme = ServiceTheme.objects.get(code="pet_care")
    assert (theme.name, theme.position) == ("宠物服务", 15)
    assert sorted(item.themes.values_list("code", flat=True)) == ["business_startup", "pet_care"]
    assert theme.history.get().history_change_reason == "导入交换包"
    assert theme.history.get().history_user == demo.legal


def test_an_identical_theme_is_reused_whatever_its_place_in_the_hall(demo):
    bundle = _themed_bundle()
    bundle["service_themes"][0]["position"] = 99  # the other district lists it elsewhere
    bundle_import(actor=demo.legal, bundle=bundle)
    assert ServiceTheme.objects.get(code="business_startup").position == 10
    assert ServiceTheme.objects.filter(name="开办企业").count() == 1


@pytest.mark.parametrize(("theme", "message"), [
    ({"code": "business_startup", "name": "企业开办", "position": 10},
     "服务主题“business_startup”在本系统中名为“开办企业”，与交换包的“企业开办”不同"),
    ({"code": "startup", "name": "开办企业", "position": 10},
     "服务主题名称“开办企业”在本系统中已由主题“business_startup”使用，与交换包的编码“startup”不同"),
])
def test_a_theme_defined_differently_is_refused_with_nothing_saved(demo, theme, message):
    bundle = _themed_bundle()
    bundle["item"]["themes"] = [theme["code"], "pet_care"]
    bundle["service_themes"] = [theme, {"code": "pet_care", "name": "宠物服务", "position": 15}]
    bundle["certificate_types"].append({"code": "NEW-CERT", "name": "新证照", "issuing_item": "", "validity_months": 12})
    with pytest.raises(InvalidInput) as refused:
        bundle_import(actor=demo.legal, bundle=bundle)
    assert refused.value.details == {"$.service_themes[0]": [message]}
    assert not ServiceTheme.objects.filter(code__in=["pet_care", "startup"]).exists()
    assert not CertificateType.objects.filter(code="NEW-CERT").exists()
    assert ApprovalItem.objects.get(code="JB-SCJG-XK-0002").versions.count() == 1


def test_a_theme_listed_twice_is_refused(demo):
    bundle = _themed_bundle()
    bundle["service_themes"].append({"code": "pet_care", "name": "宠物", "position": 16})
    with pytest.raises(InvalidInput) as refused:
        bundle_import(actor=demo.legal, bundle=bundle)
    assert refused.value.details == {"$.service_themes[2]": ["服务主题“pet_care”（宠物）在交换包中重复"]}
    assert not ServiceTheme.objects.filter(code="pet_care").exists()


def test_a_certificate_type_listed_twice_is_refused_with_nothing_saved(demo):
    bundle = _themed_bundle()
    new = {"code": "NEW-CERT", "name": "新证照", "issuing_item": "", "validity_months": 12}
    bundle["certificate_types"] += [new, {**new, "name": "另一个新证照"}]
    twice = len(bundle["certificate_types"]) - 1
    with pytest.raises(InvalidInput) as refused:
        bundle_import(actor=demo.legal, bundle=bundle)
    assert refused.value.details == {f"$.certificate_types[{twice}]": ["证照类型“NEW-CERT”在交换包中重复"]}
    assert not CertificateType.objects.filter(code="NEW-CERT").exists()


def test_a_bundle_written_before_themes_were_carried_still_imports(demo):
    bundle = json.loads((demo_items_dir() / "JB-SCJG-XK-0002.json").read_text(encoding="utf-8"))
    del bundle["service_themes"]
    bundle["item"]["public"]["fees"] = "不收费（不收取工本费）"
    item, version = bundle_import(actor=demo.legal, bundle=bundle)
    assert version.number == 2 and list(item.themes.values_list("code", flat=True)) == ["business_startup"]
    bundle["item"]["themes"] = ["pet_care"]  # … but a theme it names must exist here, as before
    with pytest.raises(InvalidInput) as refused:
        bundle_import(actor=demo.legal, bundle=bundle)
    assert list(refused.value.details) == ["$.themes[0]"]


def test_only_the_legal_office_imports_and_so_creates_themes(demo):
    with pytest.raises(AccessDenied):
        bundle_import(actor=demo.editor, bundle=_themed_bundle())
    assert not ServiceTheme.objects.filter(code="pet_care").exists()
