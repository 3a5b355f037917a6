"""Use cases that change people and organisation.

Keyword-only, atomic, validated with the models' own rules (``full_clean``) so that a bad value
is refused whole with a message naming the field. ``actor=None`` means the system itself (the
demo loader, migrations, scheduled jobs).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .access import forget_roles, require_role
from .models import Applicant, Department, Role, RoleAssignment, ServiceWindow, User


def _save_validated(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def department_create(*, actor: User | None, code: str, name: str, kind: str, parent: Department | None = None,
                      **fields) -> Department:
    require_role(actor, Role.SYSTEM_ADMIN)
    return _save_validated(Department(code=code, name=name, kind=kind, parent=parent, **fields))


@transaction.atomic
def department_update(*, actor: User | None, department: Department, **fields) -> Department:
    require_role(actor, Role.SYSTEM_ADMIN)
    department = Department.objects.select_for_update().get(pk=department.pk)
    for name, value in fields.items():
        setattr(department, name, value)
    return _save_validated(department)


@transaction.atomic
def window_create(*, actor: User | None, department: Department, code: str, name: str, **fields) -> ServiceWindow:
    require_role(actor, Role.SYSTEM_ADMIN)
    return _save_validated(ServiceWindow(department=department, code=code, name=name, **fields))


@transaction.atomic
def staff_user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    full_name: str,
    department: Department | None,
    roles: Iterable[tuple[str, Department | None]] = (),
    **fields,
) -> User:
    """Create a staff account and grant its roles, all or nothing."""
    require_role(actor, Role.SYSTEM_ADMIN)
    user = User(username=username, full_name=full_name, department=department, kind=User.Kind.STAFF, **fields)
    user.set_password(password)
    _save_validated(user)
    for role, role_department in roles:
        role_grant(actor=actor, user=user, role=role, department=role_department)
    return user


@transaction.atomic
def staff_user_update(*, actor: User | None, user: User, **fields) -> User:
    """Change a staff account's own fields (name, phone, unit, window)."""
    require_role(actor, Role.SYSTEM_ADMIN)
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    return user


# Django's validators in Chinese, by their error codes: its zh-hans catalogue leaves the length
# message (a plural form) in English.
PASSWORD_RULES = {
    "password_too_short": "密码太短，至少需要8个字符",
    "password_too_common": "这个密码太常见了，容易被猜到",
    "password_entirely_numeric": "密码不能全部是数字",
    "password_too_similar": "密码与您的用户名或姓名太相近",
}
PASSWORD_HELP = ["至少8个字符", "不能全部是数字", "不能是常见密码", "不能与用户名或姓名相近"]


def password_problems(error: ValidationError) -> list[str]:
    return [PASSWORD_RULES.get(e.code, e.messages[0]) for e in error.error_list]


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """A person sets their own password: the old one must be right, the new one pass Django's
    validators and differ from the old. Ends the first-login obligation."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": "原密码不正确"})
    if new_password == old_password:
        raise ValidationError({"new_password1": "新密码不能与原密码相同"})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": password_problems(exc)}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


@transaction.atomic
def first_login_tour_dismiss(*, user: User) -> None:
    if user.show_first_login_tour:
        user.show_first_login_tour = False
        user.save(update_fields=["show_first_login_tour"])


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str, department: Department | None) -> RoleAssignment:
    require_role(actor, Role.SYSTEM_ADMIN)
    assignment = _save_validated(RoleAssignment(user=user, role=role, department=department))
    if role == Role.SYSTEM_ADMIN and not (user.is_staff and user.is_superuser):
        # System administrators maintain everything in the Django admin (access.can_use_admin).
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, user: User, role: str, department: Department | None) -> None:
    require_role(actor, Role.SYSTEM_ADMIN)
    RoleAssignment.objects.filter(user=user, role=role, department=department).delete()
    if role == Role.SYSTEM_ADMIN and not RoleAssignment.objects.filter(user=user, role=role).exists():
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
    forget_roles(user)


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> User:
    """Close a staff account: it can no longer sign in, and its roles count for nothing from now
    on (``accounts.access`` grants nothing to an inactive user)."""
    require_role(actor, Role.SYSTEM_ADMIN)
    user.is_active = False
    user.save(update_fields=["is_active"])
    forget_roles(user)
    return user


@transaction.atomic
def applicant_create(*, actor: User | None, kind: str, name: str, user: User | None = None, **fields) -> Applicant:
    """Register an applicant: by a window clerk for a paper application, or for a portal account."""
    if actor is not None and actor != user:
        require_role(actor, Role.WINDOW_CLERK)
    return _save_validated(Applicant(kind=kind, name=name, user=user, **fields))


@transaction.atomic
def applicant_account_create(
    *, username: str, password: str, kind: str, name: str, phone: str = "", **identity
) -> Applicant:
    """Open a portal account for an applicant together with the applicant record."""
    user = User(username=username, full_name=name, phone=phone, kind=User.Kind.APPLICANT)
    user.set_password(password)
    _save_validated(user)
    return applicant_create(actor=None, kind=kind, name=name, user=user, phone=phone, **identity)
