"""Staff accounts from a spreadsheet: one row per person, with unit, window and roles.

A row's roles are the person's whole set: roles the sheet no longer lists are revoked, new ones
granted (through ``services.role_grant`` / ``role_revoke``, which keep the history and make the
role cache forget). A role written without a unit (``承办人``) is held in the first place
``ROLE_PLACES`` allows for it along the row's section, department and the district;
``承办人@JB-WJ-YZYG`` names the unit, ``效能办监察员@全区`` makes it district-wide. A new account
gets a one-time initial password to be printed on a slip (``accounts.slips``) and must change it
at first login. Applying the same sheet twice changes nothing the second time.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .. import services
from ..access import require_role
from ..models import ROLE_PLACES, Department, Role, RoleAssignment, ServiceWindow, User, role_place_text
from .sheets import Column, ImportPlan, Row, RowPlan, read_sheet, refuse_if_wrong, write_sheet

DISTRICT_WIDE = "全区"
ROLE_SEPARATORS = re.compile(r"[、,，;；\n]+")

COLUMNS = [
    Column("username", "用户名", True, "登录名：字母、数字和 @.+-_，导入后不能修改；已存在的用户名表示修改该账户"),
    Column("full_name", "姓名", True),
    Column("phone", "手机号码"),
    Column("department", "部门编码", True, "所在部门的机构编码，例如 JB-SCJG（见“单位导入”或系统管理中的单位列表）"),
    Column("section", "科室编码", False, "所在科室的机构编码，须是该部门下的科室；不在科室的留空"),
    Column("window", "窗口编号", False, "窗口受理员所在的服务窗口编号，例如 W01"),
    Column("roles", "角色", True,
           "一个或多个角色，用顿号或逗号分隔。只写角色名时设在本人科室或部门（按角色允许的单位）；"
           "“角色名@单位编码”设在指定单位；“角色名@全区”为全区范围。表中列出的角色即该人的全部角色，"
           "未列出的已有角色将被取消"),
]

ROLE_BY_NAME = {r.label: r.value for r in Role if r in ROLE_PLACES} | {r.value: r.value for r in Role if r in ROLE_PLACES}
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


@dataclass
class InitialPassword:
    """An initial password as printed on a slip: shown once, never stored in clear."""

    user: User
    password: str


@dataclass
class StaffImportResult:
    plan: ImportPlan
    passwords: list[InitialPassword]


@dataclass
class _Wanted:
    """One row read and resolved: the account's fields and its roles as (role, unit or None)."""

    row: Row
    user: User | None
    fields: dict
    roles: set[tuple[str, Department | None]]


def template() -> bytes:
    examples = [
        ["zhangxiaoming", "张晓明", "13800000001", "JB-SPJ", "JB-SPJ-ZHSL", "W02", "窗口受理员"],
        ["lixiaohong", "李晓红", "", "JB-SCJG", "JB-SCJG-SPXK", "", "承办人、科室负责人"],
    ]
    roles = "；".join(f"{Role(r).label}（{role_place_text(r)}）" for r in ROLE_PLACES)
    return write_sheet(COLUMNS, examples, title="工作人员", notes=[f"可用角色及可设单位：{roles}",
                                                              "示例两行请删除后再填写。"])


def export_current() -> bytes:
    """Today's staff as a filled sheet: edit it and import it back."""
    rows = []
    users = (User.objects.filter(kind=User.Kind.STAFF, is_active=True)
             .select_related("department__parent", "window").prefetch_related("role_assignments__department")
             .order_by("department__code", "username"))
    for user in users:
        unit = user.department
        section = unit if unit and unit.kind == Department.Kind.SECTION else None
        department = section.parent if section else unit
        roles = "、".join(f"{a.get_role_display()}@{a.department.code if a.department_id else DISTRICT_WIDE}"
                         for a in sorted(user.role_assignments.all(), key=lambda a: (a.role, a.department_id or 0)))
        rows.append([user.username, user.full_name, user.phone, department.code if department else "",
                     section.code if section else "", user.window.code if user.window_id else "", roles])
    return write_sheet(COLUMNS, rows, title="工作人员")


def _where(department: Department | None) -> str:
    return department.name if department is not None else DISTRICT_WIDE


def _resolve_roles(row: Row, department: Department | None, section: Department | None,
                   units: dict[str, Department]) -> set[tuple[str, Department | None]]:
    wanted = set()
    for token in ROLE_SEPARATORS.split(row["roles"]):
        token = token.strip().replace("＠", "@")
        if not token:
            continue
        name, _, code = (part.strip() for part in token.partition("@"))
        role = ROLE_BY_NAME.get(name)
        if role is None:
            row.refuse("roles", f"没有“{name}”这个角色；可用角色：{'、'.join(r.label for r in Role if r in ROLE_PLACES)}")
            continue
        places = ROLE_PLACES[role]
        if code == DISTRICT_WIDE:
            unit = None
        elif code:
            unit = units.get(code)
            if unit is None:
                row.refuse("roles", f"“{token}”中的单位编码“{code}”不存在")
                continue
        else:
            candidates = {"section": section, "department": department}
            found = [(kind, candidates.get(kind)) for kind in places if kind is None or candidates.get(kind)]
            if not found and row["department"] and department is None:
                continue  # the row's department is wrong, and already said so
            if not found:
                row.refuse("roles", f"“{Role(role).label}”只能设在{role_place_text(role)}，请写明“{name}@单位编码”")
                continue
            unit = found[0][1]
        kind = unit.kind if unit is not None else None
        if kind not in places:
            row.refuse("roles", f"{_where(unit)}不能设“{Role(role).label}”角色：该角色只能设在{role_place_text(role)}")
            continue
        wanted.add((role, unit))
    if not wanted and not any(p.column == row.letters["roles"] for p in row.problems):
        row.refuse("roles", "至少要有一个角色")
    return wanted


def _read(rows: list[Row]) -> list[_Wanted]:
    units = {d.code: d for d in Department.objects.select_related("parent")}
    windows = {w.code: w for w in ServiceWindow.objects.all()}
    users = {u.username: u for u in User.objects.filter(username__in=[r["username"] for r in rows])}
    first_row: dict[str, int] = {}
    out = []
    for row in rows:
        username = row["username"]
        if username in first_row:
            row.refuse("username", f"用户名与第{first_row[username]}行重复")
        first_row.setdefault(username, row.number)
        user = users.get(username)
        if user is not None and user.kind != User.Kind.STAFF:
            row.refuse("username", "该用户名已是申请人的网上办事账户，不能用作工作人员账户")
        department = units.get(row["department"])
        if row["department"] and department is None:
            row.refuse("department", f"没有编码为“{row['department']}”的单位")
        elif department is not None and department.kind != Department.Kind.DEPARTMENT:
            row.refuse("department", f"“{department.name}”是{department.get_kind_display()}，此列应填部门的编码")
            department = None
        section = None
        if row["section"]:
            section = units.get(row["section"])
            if section is None:
                row.refuse("section", f"没有编码为“{row['section']}”的单位")
            elif section.kind != Department.Kind.SECTION or (department and section.parent_id != department.pk):
                row.refuse("section", f"“{section.name}”不是{department.name if department else '该部门'}下的科室")
                section = None
        window = None
        if row["window"]:
            window = windows.get(row["window"])
            if window is None:
                row.refuse("window", f"没有编号为“{row['window']}”的服务窗口")
            elif department and window.department_id not in {department.pk, getattr(section, "pk", None)}:
                row.refuse("window", f"窗口“{window}”属于{window.department.name}，不属于本行的部门")
                window = None
        roles = _resolve_roles(row, department, section, units)
        fields = {"full_name": row["full_name"], "phone": row["phone"], "department": section or department,
                  "window": window}
        if not row.problems:
            candidate = user if user is not None else User(username=username, kind=User.Kind.STAFF)
            original = {name: getattr(candidate, name) for name in fields}
            for name, value in fields.items():
                setattr(candidate, name, value)
            try:
                candidate.full_clean(exclude=["password"])
            except ValidationError as exc:
                row.refuse_validation(exc)
            finally:
                for name, value in original.items():  # a dry run leaves the account as it was
                    setattr(candidate, name, value)
        out.append(_Wanted(row, user, fields, roles))
    return out


def _held(user: User | None) -> set[tuple[str, Department | None]]:
    if user is None:
        return set()
    return {(a.role, a.department) for a in RoleAssignment.objects.filter(user=user).select_related("department")}


def _role_text(role: str, unit: Department | None) -> str:
    return f"{Role(role).label}（{_where(unit)}）"


def _plan_row(wanted: _Wanted) -> RowPlan:
    row, user = wanted.row, wanted.user
    held = _held(user)
    granted = sorted(wanted.roles - held, key=lambda r: _role_text(*r))
    revoked = sorted(held - wanted.roles, key=lambda r: _role_text(*r))
    if user is None:
        changes = ["设置初始密码（首次登录须修改）"] + [f"授予角色：{_role_text(*r)}" for r in granted]
        return RowPlan(row.number, row["username"], row["full_name"], "create", changes)
    changes = []
    labels = {"full_name": "姓名", "phone": "手机号码", "department": "所在单位", "window": "窗口"}
    for name, value in wanted.fields.items():
        before = getattr(user, name)
        if before != value:
            changes.append(f"{labels[name]}：{before or '（空）'} → {value or '（空）'}")
    changes += [f"授予角色：{_role_text(*r)}" for r in granted] + [f"取消角色：{_role_text(*r)}" for r in revoked]
    return RowPlan(row.number, row["username"], row["full_name"], "update" if changes else "unchanged", changes)


def _checked(content: bytes) -> list[_Wanted]:
    wanted = _read(read_sheet(content, COLUMNS))
    refuse_if_wrong([w.row for w in wanted])
    return wanted


def staff_import_plan(*, actor: User | None, content: bytes) -> ImportPlan:
    """The dry run: what importing ``content`` would do, row by row; refuses a wrong sheet whole
    (:class:`~accounts.imports.sheets.SheetRefused`)."""
    require_role(actor, Role.SYSTEM_ADMIN)
    return ImportPlan([_plan_row(w) for w in _checked(content)])


def initial_password(user: User) -> str:
    """A random password easy to type from paper (no 0/O, 1/l/I) that passes the validators."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))
        if not (any(c.isupper() for c in password) and any(c.islower() for c in password)
                and any(c.isdigit() for c in password)):
            continue
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


@transaction.atomic
def staff_import(*, actor: User | None, content: bytes) -> StaffImportResult:
    """Apply the sheet: every row checked again, then created or updated, all or nothing."""
    require_role(actor, Role.SYSTEM_ADMIN)
    wanted = _checked(content)
    plan = ImportPlan([_plan_row(w) for w in wanted])
    passwords = []
    for item, row_plan in zip(wanted, plan.rows, strict=True):
        if row_plan.action == "unchanged":
            continue
        user = item.user
        if user is None:
            draft = User(username=row_plan.key, full_name=item.fields["full_name"])
            password = initial_password(draft)
            user = services.staff_user_create(
                actor=actor, username=row_plan.key, password=password, must_change_password=True,
                show_first_login_tour=True, **item.fields)
            passwords.append(InitialPassword(user, password))
        elif any(getattr(user, name) != value for name, value in item.fields.items()):
            services.staff_user_update(actor=actor, user=user, **item.fields)
        held = _held(user)
        for role, unit in sorted(held - item.roles, key=lambda r: _role_text(*r)):
            services.role_revoke(actor=actor, user=user, role=role, department=unit)
        for role, unit in sorted(item.roles - held, key=lambda r: _role_text(*r)):
            services.role_grant(actor=actor, user=user, role=role, department=unit)
    return StaffImportResult(plan, passwords)
