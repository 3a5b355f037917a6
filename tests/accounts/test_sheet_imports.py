"""Staff and units from spreadsheets: dry run, refusal whole with row and column, idempotent
re-import, role changes with history, initial passwords on slips."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from accounts.imports import departments, staff
from accounts.imports.sheets import SheetRefused
from accounts.models import Department, Role, RoleAssignment, User

STAFF_HEADER = ["用户名", "姓名", "手机号码", "部门编码", "科室编码", "窗口编号", "角色"]
UNIT_HEADER = ["机构编码", "名称", "简称", "层级", "上级单位编码", "统一社会信用代码", "办公地址", "联系电话", "排序"]


def xlsx(header, *rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NEW_CLERK = ["wangxiao", "王小", "13800000009", "JB-SPJ", "JB-SPJ-ZHSL", "W02", "窗口受理员"]
NEW_HANDLER = ["liuke", "刘科", "", "JB-SCJG", "JB-SCJG-SPXK", "", "承办人、科室负责人"]


def test_the_dry_run_lists_what_would_change_row_by_row_and_saves_nothing(demo):
    plan = staff.staff_import_plan(actor=demo.admin, content=xlsx(STAFF_HEADER, NEW_CLERK, NEW_HANDLER,
                                                                  ["handler", "陈承办", "", "JB-SCJG", "JB-SCJG-SPXK", "", "承办人"]))
    assert [(r.row, r.key, r.action_text) for r in plan.rows] == [
        (2, "wangxiao", "新建"), (3, "liuke", "新建"), (4, "handler", "无变化")]
    assert "授予角色：窗口受理员（江滨区行政审批服务局）" in plan.rows[0].changes
    assert "授予角色：科室负责人（食品经营许可科）" in plan.rows[1].changes
    assert not User.objects.filter(username__in=["wangxiao", "liuke"]).exists()


def test_a_wrong_sheet_is_refused_whole_naming_each_row_and_column(demo):
    sheet = xlsx(STAFF_HEADER, NEW_CLERK,
                 ["a1", "甲", "", "JB-NOPE", "", "", "承办人"],
                 ["a2", "乙", "", "JB-SCJG", "", "", "科长大人"],
                 ["wangxiao", "王小二", "", "JB-SPJ", "", "", "窗口受理员"],
                 ["a3", "丙", "", "JB-SCJG", "", "", "科室负责人"],
                 ["zhangsan", "张三", "", "JB-SCJG", "", "", "承办人"])
    with pytest.raises(SheetRefused) as refused:
        staff.staff_import(actor=demo.admin, content=sheet)
    found = {(p.row, p.column): p.message for p in refused.value.problems}
    assert found[(3, "D")] == "没有编码为“JB-NOPE”的单位"
    assert found[(4, "G")].startswith("没有“科长大人”这个角色")
    assert found[(5, "A")] == "用户名与第2行重复"
    assert found[(6, "G")] == "“科室负责人”只能设在科室，请写明“科室负责人@单位编码”"
    assert "申请人" in found[(7, "A")]
    assert str(refused.value.problems[0]).startswith("第3行 D列（部门编码）")
    assert not User.objects.filter(username="wangxiao").exists()  # the good row was not imported either


def test_a_role_the_unit_cannot_have_is_refused(demo):
    with pytest.raises(SheetRefused) as refused:
        staff.staff_import_plan(actor=demo.admin, content=xlsx(
            STAFF_HEADER, ["b1", "丁", "", "JB-SCJG", "", "", "科室负责人@JB-SCJG、系统管理员@JB-SCJG"]))
    messages = [p.message for p in refused.value.problems]
    assert "江滨区市场监督管理局不能设“科室负责人”角色：该角色只能设在科室" in messages
    assert "江滨区市场监督管理局不能设“系统管理员”角色：该角色只能设在全区范围" in messages


def test_import_creates_accounts_with_initial_passwords_and_reimport_changes_nothing(demo):
    sheet = xlsx(STAFF_HEADER, NEW_CLERK, NEW_HANDLER)
    result = staff.staff_import(actor=demo.admin, content=sheet)
    assert [p.user.username for p in result.passwords] == ["wangxiao", "liuke"]
    clerk = User.objects.get(username="wangxiao")
    assert clerk.check_password(result.passwords[0].password)
    assert clerk.must_change_password and clerk.show_first_login_tour
    assert clerk.department.code == "JB-SPJ-ZHSL" and clerk.window.code == "W02"
    assert set(RoleAssignment.objects.filter(user=clerk).values_list("role", "department__code")) == {
        ("window_clerk", "JB-SPJ")}
    history_before = RoleAssignment.history.count()

    again = staff.staff_import(actor=demo.admin, content=sheet)
    assert [r.action for r in again.plan.rows] == ["unchanged", "unchanged"] and again.passwords == []
    assert RoleAssignment.history.count() == history_before
    assert User.objects.get(username="wangxiao").check_password(result.passwords[0].password)


def test_a_changed_row_updates_roles_with_history_and_the_role_cache_forgets(demo):
    from accounts.access import has_role

    staff.staff_import(actor=demo.admin, content=xlsx(STAFF_HEADER, NEW_HANDLER))
    person = User.objects.get(username="liuke")
    assert has_role(person, Role.SECTION_CHIEF)
    changed = ["liuke", "刘科", "13900000000", "JB-SCJG", "JB-SCJG-DJZC", "", "承办人"]
    plan = staff.staff_import_plan(actor=demo.admin, content=xlsx(STAFF_HEADER, changed))
    assert plan.rows[0].action == "update"
    assert "取消角色：科室负责人（食品经营许可科）" in plan.rows[0].changes
    assert "所在单位：食品经营许可科 → 登记注册科" in plan.rows[0].changes

    staff.staff_import(actor=demo.admin, content=xlsx(STAFF_HEADER, changed))
    assert not has_role(person, Role.SECTION_CHIEF)  # the same object: the cache was forgotten
    assert set(RoleAssignment.objects.filter(user=person).values_list("role", "department__code")) == {
        ("handler", "JB-SCJG-DJZC")}
    trail = list(RoleAssignment.history.filter(user_id=person.pk).values_list("history_type", "role",
                                                                             "department__code"))
    assert ("-", "section_chief", "JB-SCJG-SPXK") in trail and ("+", "handler", "JB-SCJG-DJZC") in trail
    assert User.objects.get(pk=person.pk).phone == "13900000000"


def test_only_system_administrators_import(demo):
    from core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        staff.staff_import_plan(actor=demo.leader, content=xlsx(STAFF_HEADER, NEW_CLERK))


def test_the_current_staff_exported_and_imported_back_changes_nothing(demo):
    plan = staff.staff_import_plan(actor=demo.admin, content=staff.export_current())
    assert plan.rows and {r.action for r in plan.rows} == {"unchanged"}
    plan = departments.department_import_plan(actor=demo.admin, content=departments.export_current())
    assert plan.rows and {r.action for r in plan.rows} == {"unchanged"}


def test_the_templates_have_the_columns_and_an_explanation_sheet():
    book = load_workbook(io.BytesIO(staff.template()))
    assert [c.value for c in book.worksheets[0][1]] == STAFF_HEADER
    assert book.worksheets[1].title == "填写说明"
    book = load_workbook(io.BytesIO(departments.template()))
    assert [c.value for c in book.worksheets[0][1]] == UNIT_HEADER


def test_units_are_imported_with_their_credit_codes_checked(demo):
    good = ["JB-JY", "江滨区教育局", "教育局", "部门", "JB", "11330106002491000U", "", "", 80]
    bad_code = ["JB-MZ", "江滨区民政局", "", "部门", "JB", "113301060024910001", "", "", 90]
    section = ["JB-JY-JCJY", "基础教育科", "", "科室", "JB-JY", "", "", "", 81]
    orphan = ["JB-X-Y", "无主科", "", "科室", "JB-NONE", "", "", "", 1]
    with pytest.raises(SheetRefused) as refused:
        departments.department_import(actor=demo.admin, content=xlsx(UNIT_HEADER, good, bad_code, section, orphan))
    found = {(p.row, p.column): p.message for p in refused.value.problems}
    assert "已属于单位“JB”" in found[(2, "F")]  # the district's own code
    assert "校验" in found[(3, "F")]
    assert (4, "E") not in found  # a parent from an earlier row of the sheet is fine
    assert "JB-NONE" in found[(5, "E")]
    assert not Department.objects.filter(code="JB-JY").exists()

    good[5] = "11330106002491801C"
    sheet = xlsx(UNIT_HEADER, good, section)
    plan = departments.department_import(actor=demo.admin, content=sheet)
    assert [r.action for r in plan.rows] == ["create", "create"]
    assert Department.objects.get(code="JB-JY-JCJY").parent.code == "JB-JY"
    assert {r.action for r in departments.department_import(actor=demo.admin, content=sheet).rows} == {"unchanged"}
    good[1] = "江滨区教育体育局"
    plan = departments.department_import_plan(actor=demo.admin, content=xlsx(UNIT_HEADER, good, section))
    assert plan.rows[0].changes == ["名称：江滨区教育局 → 江滨区教育体育局"]


def test_every_grant_obeys_where_the_role_may_be_held(demo):
    from django.core.exceptions import ValidationError

    from accounts import services

    with pytest.raises(ValidationError, match="该角色只能设在科室"):
        services.role_grant(actor=demo.admin, user=demo.handler, role=Role.SECTION_CHIEF,
                            department=demo.department("JB-SCJG"))
    with pytest.raises(ValidationError, match="全区范围不能设“分管领导”角色"):
        services.role_grant(actor=demo.admin, user=demo.handler, role=Role.LEADER, department=None)
