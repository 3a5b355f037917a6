"""The one place that answers "may this person see or do this?" about people and units.

Two facts decide every right in the platform: the roles a person holds (each in a unit or
district-wide) and the department tree (district → department → section). Both are read here,
once per person and request, and every app composes its own questions from the functions below
(``runtime.access`` for cases and tasks, ``supervision.access`` for supervision's pages) instead
of walking the tree or reading role rows itself.

The roles read are cached on the user object, stamped with a process-wide revision. Every role
change — a grant, a revoke, a user deactivated, through the services or the admin — bumps the
revision (:func:`forget_roles`, also connected to the models' save and delete in
``AccountsConfig.ready``), so an object that lives on in the process (a long task, a test, a
cached request user) sees the change at its next question.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.errors import AccessDenied

from .models import Department, Role, RoleAssignment, User

_revisions = itertools.count(1)
_revision = next(_revisions)


def forget_roles(user=None, **_signal) -> None:
    """Roles or the tree changed: every person's cached roles are stale from now on."""
    global _revision
    _revision = next(_revisions)
    if user is not None and hasattr(user, "_access"):
        del user._access


class DepartmentTree:
    """The department tree, read in one query. Sets of unit ids include the unit itself."""

    def __init__(self, rows: Iterable[tuple[int, int | None, str]]):
        self.parents: dict[int, int | None] = {}
        self.kinds: dict[int, str] = {}
        self.children: dict[int, list[int]] = {}
        for pk, parent, kind in rows:
            self.parents[pk], self.kinds[pk] = parent, kind
            self.children.setdefault(parent, []).append(pk)

    @classmethod
    def load(cls) -> DepartmentTree:
        return cls(Department.objects.values_list("pk", "parent_id", "kind"))

    def ancestors(self, pk: int) -> set[int]:
        """The unit and the units above it."""
        out = set()
        while pk is not None and pk not in out:
            out.add(pk)
            pk = self.parents.get(pk)
        return out

    def descendants(self, pk: int) -> set[int]:
        """The unit and every unit below it."""
        out, frontier = {pk}, [pk]
        while frontier:
            for child in self.children.get(frontier.pop(), ()):
                if child not in out:
                    out.add(child)
                    frontier.append(child)
        return out

    def around(self, pk: int) -> set[int]:
        """The units whose work reaches a person in ``pk``: above it (a task of the department
        reaches its sections' staff) and below it (a leader answers for the sections)."""
        return self.ancestors(pk) | self.descendants(pk)

    def department_of(self, pk: int) -> int:
        """The department-level unit a unit belongs to (a section's department; itself otherwise)."""
        node = pk
        while node is not None:
            if self.kinds.get(node) == Department.Kind.DEPARTMENT:
                return node
            node = self.parents.get(node)
        return pk


def department_tree() -> DepartmentTree:
    return DepartmentTree.load()


@dataclass
class _Grants:
    """One person's role assignments as of ``revision``, with the tree read when first needed."""

    revision: int
    assignments: list[RoleAssignment]
    _tree: DepartmentTree | None = None
    memo: dict = field(default_factory=dict)

    @property
    def tree(self) -> DepartmentTree:
        if self._tree is None:
            self._tree = DepartmentTree.load()
        return self._tree


def _grants(user) -> _Grants:
    cached = getattr(user, "_access", None)
    if cached is not None and cached.revision == _revision:
        return cached
    # An inactive account holds nothing, as the database says now (not as this object remembers).
    held = (list(RoleAssignment.objects.filter(user=user, user__is_active=True))
            if getattr(user, "is_authenticated", False) else [])
    grants = _Grants(_revision, held)
    if user is not None and hasattr(user, "__dict__"):
        user._access = grants
    return grants


def _memo(user, key, compute):
    grants = _grants(user)
    if key not in grants.memo:
        grants.memo[key] = compute(grants)
    return grants.memo[key]


def roles_of(user) -> set[str]:
    roles = {a.role for a in _grants(user).assignments}
    if is_applicant(user):
        roles.add(Role.APPLICANT)
    return roles


def has_role(user, role: str, department: Department | None = None) -> bool:
    """True if the user holds ``role`` district-wide, or in ``department`` or one of its parents.

    A role held in a department covers its sections; a district-wide role covers everything.
    With ``department=None`` any assignment of the role counts.
    """
    if role == Role.APPLICANT:
        return role in roles_of(user)
    grants = _grants(user)
    held = [a for a in grants.assignments if a.role == role]
    if not held:
        return False
    if department is None:
        return True
    covering = grants.tree.ancestors(department.pk)
    return any(a.department_id is None or a.department_id in covering for a in held)


def has_any_role(user, roles: Iterable[str], department: Department | None = None) -> bool:
    return any(has_role(user, r, department) for r in roles)


def require_role(user, role: str, department: Department | None = None) -> None:
    if user is None:  # system actions (demo loader, scheduled jobs) act without a person
        return
    if getattr(user, "is_superuser", False):
        return
    if not has_role(user, role, department):
        raise AccessDenied(f"此操作需要“{Role(role).label}”角色")


def units_around(user, roles: Iterable[str]) -> set[int] | None:
    """Units where work for one of ``roles`` is this person's: where they hold it, the units
    below and the units above (:meth:`DepartmentTree.around`). ``None``: every unit (the role is
    held district-wide). An empty set: nowhere."""
    roles = frozenset(roles)

    def compute(grants: _Grants):
        held = [a.department_id for a in grants.assignments if a.role in roles]
        if any(pk is None for pk in held):
            return None
        return set().union(*(grants.tree.around(pk) for pk in held)) if held else set()

    return _memo(user, ("around", roles), compute)


def departments_covered(user, roles: Iterable[str]) -> set[int] | None:
    """Units whose department this person works in through one of ``roles``: a role held in a
    section covers its whole department, sections included. ``None``: every unit."""
    roles = frozenset(roles)

    def compute(grants: _Grants):
        held = [a.department_id for a in grants.assignments if a.role in roles]
        if any(pk is None for pk in held):
            return None
        tree = grants.tree
        return set().union(*(tree.descendants(tree.department_of(pk)) for pk in held)) if held else set()

    return _memo(user, ("department", roles), compute)


def holds_any_role_within(user, department: Department) -> bool:
    """Whether the person holds some role in ``department`` or in a unit below it."""
    grants = _grants(user)
    units = [a.department_id for a in grants.assignments if a.department_id is not None]
    return bool(units) and bool(grants.tree.descendants(department.pk) & set(units))


def is_staff_member(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == User.Kind.STAFF


def is_applicant(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == User.Kind.APPLICANT


def can_use_admin(user) -> bool:
    """Django admin is for system administrators only."""
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_superuser", False) or has_role(user, Role.SYSTEM_ADMIN))
    )


def home_url_name(user) -> str:
    """Where a user lands after login: applicants in the service hall, an archivist with no other
    role in the archive, other staff in the workbench."""
    if is_applicant(user):
        return "runtime:hall"
    return "archives:packages" if roles_of(user) == {Role.ARCHIVIST} else "runtime:workbench"
