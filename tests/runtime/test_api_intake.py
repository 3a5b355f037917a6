"""POST /api/v1/intake/: window intake over the API, with the page's rules (window clerks only,
the applicant found or registered, every problem at once, nothing half-saved)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Applicant
from runtime.models import Case, Material

from . import factories
from .test_api import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/"
NEW_PERSON = {"kind": "natural", "name": "钱七", "identity_number": "11010519491231002X", "phone": "13900139001",
              "address": "江滨区小吃街1号"}


def intake_json(user, item, applicant, data=None, paper=("application",)):
    return client_for(user).post(URL, {"item": item.code, "applicant": applicant,
                                       "form_data": data if data is not None else factories.good_data(),
                                       "paper": list(paper)}, format="json")


def test_a_registered_company_with_a_scanned_file_and_a_paper_original(demo, item, frozen):
    company = demo.company.applicant
    response = client_for(demo.clerk).post(URL, {
        "item": item.code,
        "applicant": json.dumps({"kind": "legal", "name": company.name, "identity_number": company.credit_code}),
        "form_data": json.dumps(factories.good_data(business="自动售货设备", machines=2)),
        "material:vending": SimpleUploadedFile("设备清单.pdf", factories.PDF),
        "paper": ["application"]}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "window" and body["applicant"] == company.name and body["state"] == "received"
    case = Case.objects.get(number=body["number"])
    assert case.applicant == company and case.received_by == demo.clerk
    kept = {m.key: m for m in case.materials.all()}
    assert kept["application"].paper_original and kept["vending"].sniffed_type == "pdf"
    receipt = client_for(demo.clerk).get(f"/api/v1/cases/{case.number}/documents/").json()["results"]
    assert [d["title"] for d in receipt] == ["接件凭证"]


def test_a_new_applicant_is_registered_once_and_found_the_next_time(demo, item, frozen):
    before = Applicant.objects.count()
    first = intake_json(demo.clerk, item, NEW_PERSON)
    assert first.status_code == 201, first.json()
    assert Applicant.objects.count() == before + 1
    person = Applicant.objects.get(id_number=NEW_PERSON["identity_number"])
    assert person.name == "钱七" and person.phone == "13900139001" and person.user_id is None
    second = intake_json(demo.clerk, item, {"kind": "natural", "name": "钱七",
                                            "identity_number": NEW_PERSON["identity_number"].lower()})
    assert second.status_code == 201, second.json()
    assert Applicant.objects.count() == before + 1
    assert set(Case.objects.values_list("applicant", flat=True)) == {person.pk}


def test_a_bad_identity_number_is_refused_by_field(demo, item, frozen):
    before = Applicant.objects.count()
    response = intake_json(demo.clerk, item, {**NEW_PERSON, "identity_number": "110105194912310021"})
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["details"]["applicant.identity_number"] == ["身份证号码校验位不正确，请核对"]
    company = intake_json(demo.clerk, item, {"kind": "legal", "name": "新公司", "identity_number": "91330106MA2H3K7L09"})
    assert "统一社会信用代码校验位不正确" in company.json()["details"]["applicant.identity_number"][0]
    shape = intake_json(demo.clerk, item, {"kind": "alien", "name": "x", "identity_number": "1"})
    assert shape.status_code == 400 and "applicant.kind" in shape.json()["details"]
    assert Applicant.objects.count() == before and not Case.objects.exists()


def test_only_window_clerks_take_paper_applications(demo, item, frozen):
    for user in (demo.handler, demo.chief, demo.leader, demo.supervisor, demo.zhangsan, demo.admin):
        response = intake_json(user, item, NEW_PERSON)
        assert response.status_code == 403, user.username
        assert response.json() == {"code": "permission_denied", "message": "窗口受理须由窗口受理员办理", "details": {}}
    assert client_for().post(URL, {}, format="json").status_code == 403
    assert not Case.objects.exists() and not Applicant.objects.filter(name="钱七").exists()


def test_an_invalid_application_keeps_nothing(demo, item, frozen):
    before = Applicant.objects.count()
    response = client_for(demo.clerk).post(URL, {
        "item": item.code, "applicant": json.dumps(NEW_PERSON),
        "form_data": json.dumps({"company": "钱七小吃", "business": "热食类食品制售", "amount": "很多"}),
        "material:application": SimpleUploadedFile("申请书.exe", factories.EXE)}, format="multipart")
    body = response.json()
    assert response.status_code == 400
    assert body["details"]["$.amount"] == ["类型应为数字"] and "materials.application" in body["details"]
    assert Applicant.objects.count() == before  # the new applicant is not kept either
    assert not Case.objects.exists() and not Material.objects.exists()


def test_unknown_item_unit_and_broken_json_name_their_field(demo, item, frozen):
    clerk = client_for(demo.clerk)
    assert "item" in clerk.post(URL, {"item": "JB-XX-XK-9999", "applicant": NEW_PERSON, "form_data": {}},
                                format="json").json()["details"]
    unit = clerk.post(URL, {"item": item.code, "unit": "nope", "applicant": NEW_PERSON,
                            "form_data": factories.good_data(), "paper": ["application"]}, format="json")
    assert unit.status_code == 400 and "unit" in unit.json()["details"]
    broken = clerk.post(URL, {"item": item.code, "applicant": "{", "form_data": "{}"}, format="multipart")
    assert broken.status_code == 400 and broken.json()["details"] == {"applicant": ["JSON 格式有误：第 1 行第 2 列无法解析"]}
    assert not Case.objects.exists() and not Applicant.objects.filter(name="钱七").exists()
