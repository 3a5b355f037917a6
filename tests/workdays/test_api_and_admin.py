import pytest
import tablib

pytestmark = pytest.mark.django_db


def test_add_endpoint_reports_the_date_and_the_provisional_flag(client, demo):
    client.force_login(demo.clerk)
    known = client.get("/api/v1/workdays/add/", {"start": "2026-09-30", "days": 1}).json()
    assert known == {"date": "2026-10-08", "provisional": False}  # 1–7 October are off
    beyond = client.get("/api/v1/workdays/add/", {"start": "2026-12-31", "days": 1}).json()
    assert beyond == {"date": "2027-01-01", "provisional": True}


def test_bad_query_gets_the_error_shape_naming_the_field(client, demo):
    client.force_login(demo.clerk)
    response = client.get("/api/v1/workdays/add/", {"start": "2026-02-30", "days": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["details"]) == {"start", "days"}


def test_import_endpoint_refuses_a_malformed_row_with_its_number(client, demo):
    client.force_login(demo.admin)
    data = tablib.Dataset(headers=["日期", "类型", "名称"])
    data.append(["2027-13-01", "休", ""])
    upload = __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
        "2027.xlsx", data.export("xlsx")
    )
    response = client.post("/api/v1/workdays/years/2027/import/", {"file": upload})
    assert response.status_code == 400
    assert response.json()["details"]["rows"] == ["第2行：日期“2027-13-01”无效，应为 YYYY-MM-DD 格式"]


def test_admin_import_page_imports_a_year(client, demo):
    client.force_login(demo.admin)
    data = tablib.Dataset(headers=["日期", "类型", "名称"])
    data.append(["2027-01-01", "休", "元旦"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/admin/workdays/calendaryear/import/",
        {"year": 2027, "file": SimpleUploadedFile("2027.xlsx", data.export("xlsx")), "note": "国办发明电〔2026〕"},
        follow=True,
    )
    assert "已导入 2027 年的节假日安排，共 1 天。" in response.content.decode()
    template = client.get("/admin/workdays/calendaryear/template.xlsx")
    assert template.status_code == 200
    assert tablib.Dataset().load(template.content, format="xlsx").headers == ["日期", "类型", "名称"]
