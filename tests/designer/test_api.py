"""The designer API: same permissions as the pages, one error shape with paths."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from designer.models import ApprovalItem

from .factories import sample_definition, spoil

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_full_lifecycle_over_the_api(demo):
    editor, legal = client_for(demo.editor), client_for(demo.legal)
    created = editor.post("/api/v1/designer/items/", {"department": "JB-SCJG", "item_type": "XK", "name": "测试许可事项"},
                          format="json")
    assert created.status_code == 201, created.json()
    code = created.json()["code"]
    assert code == "JB-SCJG-XK-0003"  # the demo items hold 0001 and 0002
    doc = sample_definition(code=code)
    assert editor.put(f"/api/v1/designer/items/{code}/definition/", {"definition": doc}, format="json").status_code == 200
    assert editor.post(f"/api/v1/designer/items/{code}/submit/", {}, format="json").json()["state"] == "in_review"
    assert [i["code"] for i in legal.get("/api/v1/designer/review-queue/").json()] == [code]
    assert editor.get("/api/v1/designer/review-queue/").status_code == 403
    sent = legal.post(f"/api/v1/designer/items/{code}/send-back/", {"opinion": "请补充收费依据"}, format="json")
    assert sent.json()["state"] == "draft"
    editor.post(f"/api/v1/designer/items/{code}/submit/", {}, format="json")
    published = legal.post(f"/api/v1/designer/items/{code}/publish/", {"opinion": "同意"}, format="json")
    assert published.json()["number"] == 1
    version = legal.get(f"/api/v1/designer/items/{code}/versions/1/").json()
    assert version["document"]["code"] == code
    bundle = legal.get(f"/api/v1/designer/items/{code}/bundle/").json()
    assert bundle["format"] == "approval-item-bundle"
    reviews = [r["action"] for r in editor.get(f"/api/v1/designer/items/{code}/reviews/").json()]
    assert reviews == ["submit", "send_back", "submit", "publish"]


def test_invalid_definition_answers_with_paths_and_saves_nothing(demo):
    editor = client_for(demo.editor)
    bad = spoil(sample_definition(), lambda d: d.update(promised_limit_days=12))
    response = editor.put("/api/v1/designer/items/JB-SCJG-XK-0001/definition/", {"definition": bad}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"] == {"$.promised_limit_days": ["承诺时限（12个工作日）不能超过法定时限（10个工作日）"]}
    assert ApprovalItem.objects.get(code="JB-SCJG-XK-0001").state == "published"


def test_validate_endpoint(demo):
    editor = client_for(demo.editor)
    ok = editor.post("/api/v1/designer/validate/", {"definition": sample_definition()}, format="json")
    assert ok.status_code == 200 and "staff.*.name" in ok.json()["variables"]
    bad = spoil(sample_definition(), lambda d: d["workflow"]["steps"][1].update(return_to=["done"]))
    response = editor.post("/api/v1/designer/validate/", {"definition": bad}, format="json")
    assert response.status_code == 400 and "$.workflow.steps[1].return_to[0]" in response.json()["details"]


def test_editors_see_only_their_department(demo):
    codes = [i["code"] for i in client_for(demo.editor).get("/api/v1/designer/items/").json()]
    assert codes == ["JB-SCJG-XK-0001", "JB-SCJG-XK-0002"]
    assert client_for(demo.editor).get("/api/v1/designer/items/JB-WJ-XK-0001/").status_code == 403
    assert len(client_for(demo.legal).get("/api/v1/designer/items/").json()) == 5
    assert client_for(demo.clerk).get("/api/v1/designer/items/").status_code == 403
    assert APIClient().get("/api/v1/designer/items/").status_code == 403


def test_only_the_legal_office_imports_bundles(demo):
    bundle = client_for(demo.legal).get("/api/v1/designer/items/JB-SCJG-XK-0002/bundle/").json()
    assert client_for(demo.editor).post("/api/v1/designer/bundles/", bundle, format="json").status_code == 403
    response = client_for(demo.legal).post("/api/v1/designer/bundles/", bundle, format="json")
    assert response.status_code == 200 and response.json()["published"] is False


def test_openapi_documents_the_designer(demo):
    client = client_for(demo.legal)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/designer/items/{code}/publish/" in schema["paths"]


def test_supervision_test_run_and_defaults(demo):
    editor, legal = client_for(demo.editor), client_for(demo.legal)
    result = editor.post("/api/v1/designer/supervision/test-run/", {
        "rules": {"red_card": {"limit": "promised", "overdue_days_over": 1}}, "limit_days": 5, "used_days": 7,
        "facts": {"step": {"opinion": "同意"}}}, format="json").json()
    assert result == {"level": "red", "remaining_days": -2, "anomalies": []}
    bad = editor.post("/api/v1/designer/supervision/test-run/", {
        "rules": {"anomalies": [{"key": "x", "name": "未知", "condition": {"var": "step.whatever"}}]},
        "limit_days": 5, "used_days": 1}, format="json")
    assert bad.status_code == 400 and "$.anomalies[0].condition.var" in bad.json()["details"]
    defaults = editor.get("/api/v1/designer/supervision/defaults/").json()
    assert editor.put("/api/v1/designer/supervision/defaults/", defaults, format="json").status_code == 403
    defaults["warning"]["remaining_days"] = 3
    assert legal.put("/api/v1/designer/supervision/defaults/", defaults, format="json").json()["warning"] == {
        "limit": "promised", "remaining_days": 3, "remaining_percent": 0}
