"""The API: intake, actions and queries; one access filter for every read path; pagination."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from runtime.models import Case

from . import factories
from .conftest import act, submit

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(demo, item, frozen):
    """Three cases: two applicants in the market regulator's item, one in the health bureau's."""
    health = factories.publish(factories.definition("JB-WJ-XK-0001", department="JB-WJ", name="公共场所卫生许可",
                                                    certificate_type=None))
    mine = submit(demo, item)
    mine = act(demo.clerk, mine)
    theirs = submit(demo, item, actor=demo.lisi)
    other_department = submit(demo, health, actor=demo.company)
    other_department = act(demo.clerk, other_department)
    return {"mine": mine, "theirs": theirs, "health": other_department}


def paths_for(case: Case) -> list[str]:
    material = case.materials.first()
    document = case.documents.first()
    return [f"/api/v1/cases/{case.number}/", f"/api/v1/cases/{case.number}/documents/",
            f"/api/v1/cases/{case.number}/documents/{document.number}/pdf/",
            f"/api/v1/cases/{case.number}/materials/", f"/api/v1/cases/{case.number}/materials/{material.pk}/file/"]


def test_every_read_path_with_every_role_shows_only_what_it_may(demo, world):
    expected = {
        "zhangsan": {"mine"}, "lisi": {"theirs"}, "company": {"health"},
        "handler": {"mine", "theirs"}, "chief": {"mine", "theirs"}, "leader": {"mine", "theirs"},
        "multi": {"health"},  # section chief in the health bureau, handler in the housing bureau
        "clerk": {"mine", "theirs", "health"},  # the service centre receives every case
        "supervisor": {"mine", "theirs", "health"},
        "editor": set(), "legal": set(), "admin": set(),
    }
    for username, visible in expected.items():
        client = client_for(getattr(demo, username))
        listed = client.get("/api/v1/cases/")
        assert listed.status_code == 200, username
        numbers = {row["number"] for row in listed.json()["results"]}
        assert numbers == {world[k].number for k in visible}, username
        for key, case in world.items():
            for path in paths_for(case):
                status = client.get(path).status_code
                assert (status == 200) == (key in visible), (username, path, status)
                assert status in (200, 404), (username, path, status)
        certificates = client.get("/api/v1/certificates/")
        assert certificates.status_code == 200
    for path in paths_for(world["mine"]) + ["/api/v1/cases/", "/api/v1/tasks/", "/api/v1/certificates/"]:
        assert client_for().get(path).status_code == 403, path
    # Window intake: window clerks only (a refused call registers no applicant).
    intake = {"item": world["mine"].item.code, "form_data": factories.good_data(), "paper": ["application"],
              "applicant": {"kind": "natural", "name": "钱七", "identity_number": "11010519491231002X"}}
    for username in [*expected, None]:
        client = client_for(getattr(demo, username) if username else None)
        status = client.post("/api/v1/intake/", intake, format="json").status_code
        assert status == (201 if username == "clerk" else 403), (username, status)


def test_log_is_for_staff_only(demo, world):
    number = world["mine"].number
    assert client_for(demo.zhangsan).get(f"/api/v1/cases/{number}/log/").status_code == 403
    body = client_for(demo.handler).get(f"/api/v1/cases/{number}/log/").json()
    assert body["count"] >= 4 and body["results"][0]["kind"] == "submitted"


def test_applicant_sees_progress_by_role_never_staff_names(demo, world):
    body = client_for(demo.zhangsan).get(f"/api/v1/cases/{world['mine'].number}/").json()
    text = json.dumps(body["progress"], ensure_ascii=False)
    assert "受理" in text and "窗口受理员" in text and "张受理" not in text
    assert body["clock"]["phase"] == "running" and body["clock"]["limit_days"] == 20


def test_inbox_lists_only_my_tasks_by_due_date(demo, world):
    rows = client_for(demo.handler).get("/api/v1/tasks/").json()["results"]
    assert [r["case"] for r in rows] == [world["mine"].number]
    assert rows[0]["actions"] == factories.WORK
    rows = client_for(demo.clerk).get("/api/v1/tasks/").json()["results"]
    assert [r["case"] for r in rows] == [world["theirs"].number]
    assert client_for(demo.zhangsan).get("/api/v1/tasks/").json()["results"] == []


def test_intake_and_actions_over_the_api(demo, item, frozen):
    applicant = client_for(demo.zhangsan)
    response = applicant.post("/api/v1/cases/", {
        "item": item.code, "form_data": json.dumps(factories.good_data()),
        "material:application": _upload("申请书.pdf", factories.PDF)}, format="multipart")
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    task = client_for(demo.clerk).get("/api/v1/tasks/").json()["results"][0]
    assert task["case"] == number
    wrong = client_for(demo.handler).post(f"/api/v1/tasks/{task['id']}/act/", {"action": "approve"}, format="json")
    assert wrong.status_code == 403 and "窗口受理员" in wrong.json()["message"]  # sees the case, may not act
    ok = client_for(demo.clerk).post(f"/api/v1/tasks/{task['id']}/act/", {"action": "approve"}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "in_progress"
    again = client_for(demo.clerk).post(f"/api/v1/tasks/{task['id']}/act/", {"action": "approve"}, format="json")
    assert again.status_code == 409 and "办理完毕" in again.json()["message"]


def test_bad_submission_answers_with_paths(demo, item, frozen):
    response = client_for(demo.zhangsan).post("/api/v1/cases/", {
        "item": item.code, "form_data": json.dumps({"company": "<b>x</b>", "business": "热食类食品制售",
                                                     "amount": "abc"}),
        "material:application": _upload("virus.pdf", factories.EXE)}, format="multipart")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["details"]["$.amount"] == ["类型应为数字"] and "materials.application" in body["details"]
    assert Case.objects.count() == 0


def test_public_progress_needs_number_and_code(demo, world):
    case = world["mine"]
    anonymous = client_for()
    assert anonymous.get("/api/v1/progress/", {"number": case.number, "code": "000000x"}).status_code == 404
    body = anonymous.get("/api/v1/progress/", {"number": case.number, "code": case.verification_code}).json()
    assert body["number"] == case.number and "张受理" not in json.dumps(body, ensure_ascii=False)


def test_catalogue_is_public_paginated_and_never_confidential(demo, item):
    factories.publish(factories.definition("JB-SCJG-XK-0003", confidential=True, name="涉密事项"))
    body = client_for().get("/api/v1/catalogue/").json()
    codes = [r["code"] for r in body["results"]]
    assert item.code in codes and "next" in body
    assert "JB-SCJG-XK-0003" not in codes
    assert "涉密基础测绘成果提供使用审批" not in [r["name"] for r in body["results"]]  # the demo's confidential item


def test_lists_are_paginated(demo, item, frozen):
    for _ in range(23):
        submit(demo, item)
    body = client_for(demo.zhangsan).get("/api/v1/cases/").json()
    assert body["count"] == 23 and len(body["results"]) == 20 and body["next"]


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_extension_decision_over_the_api(demo, item, frozen):
    case = submit(demo, item)
    case = act(demo.clerk, case)
    case = act(demo.handler, case, "extend", "现场核查", days=5)
    extension = case.extensions.get()
    assert client_for(demo.chief).post(f"/api/v1/extensions/{extension.pk}/decide/",
                                       {"approve": True, "opinion": "同意"}, format="json").status_code == 403
    response = client_for(demo.leader).post(f"/api/v1/extensions/{extension.pk}/decide/",
                                            {"approve": True, "opinion": "同意"}, format="json")
    assert response.json() == {"state": "approved"}
    case.refresh_from_db()
    assert case.extension_days == 5
