"""The legal office keeps the kinds of certificate in the designer; others only read them."""

import pytest

from designer.models import CertificateType

pytestmark = pytest.mark.django_db
URL = "/designer/certificate-types/"


def test_legal_office_adds_then_changes_a_certificate_type(client, demo):
    client.force_login(demo.legal)
    added = client.post(URL, {"code": "JB-HB-PWXK", "name": "排污许可证", "issuing_item": "",
                              "validity_months": "60"}, follow=True)
    assert "已保存证照类型“排污许可证”（JB-HB-PWXK）" in added.content.decode()
    client.post(URL, {"code": "JB-HB-PWXK", "name": "排污许可证（正本）", "validity_months": ""})
    cert = CertificateType.objects.get(code="JB-HB-PWXK")
    assert (cert.name, cert.validity_months) == ("排污许可证（正本）", None)
    assert [h.history_change_reason for h in cert.history.order_by("history_id")] == ["新增证照类型", "修改证照类型"]
    assert "长期有效" in client.get(URL).content.decode()


def test_a_missing_name_is_refused_at_the_field_and_keeps_the_input(client, demo):
    client.force_login(demo.legal)
    response = client.post(URL, {"code": "JB-HB-PWXK", "name": "", "validity_months": "abc"})
    html = response.content.decode()
    assert "该字段是必填项。" in html and "输入整数。" in html
    assert 'value="JB-HB-PWXK"' in html
    assert not CertificateType.objects.filter(code="JB-HB-PWXK").exists()


def test_item_editors_see_the_list_but_cannot_change_it(client, demo):
    client.force_login(demo.editor)
    page = client.get(URL)
    assert page.status_code == 200 and "新增或修改证照类型" not in page.content.decode()
    refused = client.post(URL, {"code": "JB-X", "name": "某证"})
    assert refused.status_code == 403
    assert not CertificateType.objects.filter(code="JB-X").exists()


def test_the_api_lists_for_designers_and_saves_for_the_legal_office(client, demo):
    client.force_login(demo.editor)
    assert client.get("/api/v1/designer/certificate-types/").status_code == 200
    refused = client.post("/api/v1/designer/certificate-types/", {"code": "JB-X", "name": "某证"},
                          content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    client.force_login(demo.legal)
    saved = client.post("/api/v1/designer/certificate-types/",
                        {"code": "JB-X", "name": "某证", "validity_months": 12}, content_type="application/json")
    assert saved.status_code == 201 and saved.json()["validity_months"] == 12
    bad = client.post("/api/v1/designer/certificate-types/", {"code": "JB-Y", "name": ""},
                      content_type="application/json")
    assert bad.status_code == 400 and "name" in bad.json()["details"]
    assert client.get("/api/v1/designer/certificate-types/JB-X/").json()["name"] == "某证"
    client.force_login(demo.zhangsan)
    assert client.get("/api/v1/designer/certificate-types/").status_code == 403
