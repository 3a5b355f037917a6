"""Departments, windows, staff roles and applicants: bad input refused whole, in Chinese."""

import pytest
from django.core.exceptions import ValidationError

from accounts import access, services
from accounts.models import Applicant, Department, Role, User
from core.errors import AccessDenied

pytestmark = pytest.mark.django_db


def test_duplicate_department_code_is_refused_through_the_api_naming_the_field(client, demo):
    client.force_login(demo.admin)
    response = client.post(
        "/api/v1/departments/",
        {"code": "JB-SCJG", "name": "重复的部门", "kind": "department", "parent": demo.department("JB").pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"]["code"] == ["具有 机构编码 的 单位 已存在。"]
    assert Department.objects.filter(code="JB-SCJG").count() == 1


def test_invalid_department_credit_code_is_refused_naming_the_field(client, demo):
    client.force_login(demo.admin)
    response = client.post(
        "/api/v1/departments/",
        {"code": "JB-TJ", "name": "江滨区统计局", "kind": "department", "parent": demo.department("JB").pk,
         "credit_code": "11330106002491999A"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["details"] == {"credit_code": ["统一社会信用代码校验位不正确，请核对"]}
    assert not Department.objects.filter(code="JB-TJ").exists()


def test_new_department_is_created_by_a_system_administrator_only(client, demo):
    payload = {"code": "JB-TJ", "name": "江滨区统计局", "kind": "department", "parent": demo.department("JB").pk}
    client.force_login(demo.clerk)
    assert client.post("/api/v1/departments/", payload, content_type="application/json").status_code == 403
    client.force_login(demo.admin)
    created = client.post("/api/v1/departments/", payload, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert Department.objects.get(code="JB-TJ").parent.code == "JB"


def test_the_hierarchy_is_district_then_department_then_section(demo):
    with pytest.raises(ValidationError) as caught:
        services.department_create(actor=None, code="JB-X", name="某科", kind="section", parent=demo.department("JB"))
    assert caught.value.message_dict == {"parent": ["科室的上级单位应为部门"]}
    with pytest.raises(ValidationError) as caught:
        services.department_create(actor=None, code="JB-Y", name="某局", kind="department")
    assert caught.value.message_dict == {"parent": ["部门必须有上级单位"]}


def test_window_clerk_registers_an_applicant_with_a_checked_id_number(client, demo):
    client.force_login(demo.clerk)
    bad = client.post(
        "/api/v1/applicants/",
        {"kind": "natural", "name": "王小二", "id_number": "330106197801010018"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["details"] == {"id_number": ["身份证号码校验位不正确，请核对"]}
    good = client.post(
        "/api/v1/applicants/",
        {"kind": "natural", "name": "王小二", "id_number": "330106197801010017"},
        content_type="application/json",
    )
    assert good.status_code == 201, good.json()
    again = client.post(
        "/api/v1/applicants/",
        {"kind": "natural", "name": "王小二", "id_number": "330106197801010017"},
        content_type="application/json",
    )
    assert again.json()["details"] == {"__all__": ["该身份证号码已登记为申请人"]}
    assert Applicant.objects.filter(id_number="330106197801010017").count() == 1


def test_legal_person_needs_a_valid_credit_code(demo):
    with pytest.raises(ValidationError) as caught:
        services.applicant_create(actor=demo.clerk, kind="legal", name="某公司")
    assert caught.value.message_dict == {"credit_code": ["法人申请须填写统一社会信用代码"]}


def test_a_user_holds_several_roles_in_several_departments(demo):
    multi = demo.multi
    assert access.has_role(multi, Role.HANDLER, demo.department("JB-WJ-YZYG"))
    assert access.has_role(multi, Role.HANDLER, demo.department("JB-ZJ-JZSC"))
    assert access.has_role(multi, Role.SECTION_CHIEF, demo.department("JB-WJ-YZYG"))
    assert not access.has_role(multi, Role.SECTION_CHIEF, demo.department("JB-ZJ-JZSC"))
    # A role held in a department covers its sections; a district-wide role covers everything.
    assert access.has_role(multi, Role.ITEM_EDITOR, demo.department("JB-WJ-YZYG"))
    assert not access.has_role(multi, Role.ITEM_EDITOR, demo.department("JB-SCJG"))
    assert access.has_role(demo.supervisor, Role.SUPERVISOR, demo.department("JB-SCJG-SPXK"))


def test_granting_the_same_role_twice_is_refused_in_chinese(demo):
    with pytest.raises(ValidationError) as caught:
        services.role_grant(actor=demo.admin, user=demo.handler, role=Role.HANDLER,
                            department=demo.department("JB-SCJG-SPXK"))
    assert "该用户在此单位已有此角色" in str(caught.value)


def test_only_system_administrators_grant_roles(demo):
    with pytest.raises(AccessDenied, match="系统管理员"):
        services.role_grant(actor=demo.leader, user=demo.handler, role=Role.LEADER, department=None)


def test_load_demo_is_idempotent(demo):
    from django.core.management import call_command

    counts = (User.objects.count(), Department.objects.count(), Applicant.objects.count())
    call_command("load_demo", stdout=__import__("io").StringIO())
    assert (User.objects.count(), Department.objects.count(), Applicant.objects.count()) == counts
    assert counts == (20, 14, 4)
