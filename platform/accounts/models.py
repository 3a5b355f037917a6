"""People and organisation of a district government.

A department tree (district → department → section), service windows, staff users holding
roles in departments, and applicants (natural or legal persons). Invariants live here as model
validation; changes go through ``services.py``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .identity import validate_credit_code, validate_id_number

org_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,31}\Z",
    "机构编码只能包含大写字母、数字和连字符，长度2–32位",
)


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    LEGAL_REVIEWER = "legal_reviewer", "法制办审核员"
    ITEM_EDITOR = "item_editor", "部门事项编辑"
    WINDOW_CLERK = "window_clerk", "窗口受理员"
    HANDLER = "handler", "承办人"
    SECTION_CHIEF = "section_chief", "科室负责人"
    LEADER = "leader", "分管领导"
    SUPERVISOR = "supervisor", "效能办监察员"
    ARCHIVIST = "archivist", "档案管理员"
    APPLICANT = "applicant", "申请人"


STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}

# Where each staff role may be held: the kinds of unit (``None``: district-wide), the first being
# where a role is placed when a spreadsheet names no unit for it (accounts.imports.staff). The one
# answer to "may this unit have this role?", checked by RoleAssignment.clean for every grant.
ROLE_PLACES: dict[str, tuple[str | None, ...]] = {
    Role.SYSTEM_ADMIN: (None,),
    Role.SUPERVISOR: (None, "department"),
    Role.ARCHIVIST: (None,),
    Role.LEGAL_REVIEWER: ("department", None),
    Role.ITEM_EDITOR: ("department",),
    Role.WINDOW_CLERK: ("department",),
    Role.HANDLER: ("section", "department"),
    Role.SECTION_CHIEF: ("section",),
    Role.LEADER: ("department",),
}


def role_place_text(role: str) -> str:
    """Where ``role`` may be held, in words: “全区范围或部门”."""
    names = {None: "全区范围", "district": "区人民政府", "department": "部门", "section": "科室"}
    return "或".join(names[kind] for kind in ROLE_PLACES[role])


class Department(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", "区人民政府"
        DEPARTMENT = "department", "部门"
        SECTION = "section", "科室"

    # Which kind of unit may sit directly under which (None: the root).
    ALLOWED_PARENT = {Kind.DISTRICT: None, Kind.DEPARTMENT: Kind.DISTRICT, Kind.SECTION: Kind.DEPARTMENT}

    code = models.CharField("机构编码", max_length=32, unique=True, validators=[org_code_validator])
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text="科室可不填；区政府与部门应填写",
    )
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("层级", max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        expected_parent = self.ALLOWED_PARENT.get(self.kind)
        if expected_parent is None and self.parent_id:
            raise ValidationError({"parent": "区人民政府是最上级单位，不能有上级"})
        if expected_parent is not None:
            if self.parent is None:
                raise ValidationError({"parent": f"{self.get_kind_display()}必须有上级单位"})
            if self.parent.kind != expected_parent:
                label = self.Kind(expected_parent).label
                raise ValidationError({"parent": f"{self.get_kind_display()}的上级单位应为{label}"})
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()

    def ancestors_and_self(self) -> list[Department]:
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class ServiceWindow(models.Model):
    """A counter in the service hall where clerks receive paper applications."""

    department = models.ForeignKey(Department, verbose_name="所属单位", on_delete=models.PROTECT, related_name="windows")
    code = models.CharField("窗口编号", max_length=16, unique=True, validators=[org_code_validator])
    name = models.CharField("窗口名称", max_length=100)
    location = models.CharField("位置", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = "服务窗口"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        APPLICANT = "applicant", "申请人"

    kind = models.CharField("用户类型", max_length=16, choices=Kind.choices, default=Kind.STAFF)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    window = models.ForeignKey(
        ServiceWindow, verbose_name="所在窗口", null=True, blank=True, on_delete=models.SET_NULL, related_name="clerks"
    )
    must_change_password = models.BooleanField(
        "首次登录须修改密码", default=False, help_text="用初始密码开通的账户，登录后须先设置自己的密码"
    )
    show_first_login_tour = models.BooleanField("显示新手引导", default=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class RoleAssignment(models.Model):
    """One role held by one user in one department (or district-wide when department is empty)."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text="为空表示全区范围",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                name="unique_role_in_department",
                violation_error_message="该用户在此单位已有此角色",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(department__isnull=True),
                name="unique_districtwide_role",
                violation_error_message="该用户已有此全区范围角色",
            ),
        ]

    def __str__(self) -> str:
        where = self.department.name if self.department_id else "全区"
        return f"{self.user} · {self.get_role_display()} · {where}"

    def clean(self):
        if self.role not in ROLE_PLACES:
            raise ValidationError({"role": f"“{self.get_role_display()}”不是工作人员角色"})
        kind = self.department.kind if self.department_id else None
        if kind not in ROLE_PLACES[self.role]:
            where = self.department.name if self.department_id else "全区范围"
            raise ValidationError({"department": f"{where}不能设“{self.get_role_display()}”角色："
                                                  f"该角色只能设在{role_place_text(self.role)}"})


class Applicant(models.Model):
    """A natural or legal person who applies; may have a portal account or be entered at a window."""

    class Kind(models.TextChoices):
        NATURAL = "natural", "自然人"
        LEGAL = "legal", "法人或其他组织"

    kind = models.CharField("申请人类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称或姓名", max_length=200)
    id_number = models.CharField(
        "身份证号码", max_length=18, blank=True, validators=[validate_id_number]
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code]
    )
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    user = models.OneToOneField(
        User, verbose_name="网上办事账户", null=True, blank=True, on_delete=models.SET_NULL, related_name="applicant"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="unique_applicant_id_number",
                violation_error_message="该身份证号码已登记为申请人",
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="unique_applicant_credit_code",
                violation_error_message="该统一社会信用代码已登记为申请人",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identity_number(self) -> str:
        return self.id_number if self.kind == self.Kind.NATURAL else self.credit_code

    def clean(self):
        self.id_number = (self.id_number or "").strip().upper()
        self.credit_code = (self.credit_code or "").strip().upper()
        if self.kind == self.Kind.NATURAL:
            if not self.id_number:
                raise ValidationError({"id_number": "自然人申请须填写身份证号码"})
            self.credit_code = ""
        elif self.kind == self.Kind.LEGAL:
            if not self.credit_code:
                raise ValidationError({"credit_code": "法人申请须填写统一社会信用代码"})
            self.id_number = ""
