"""Who may see which cases and act on which tasks. Every read path and every action asks here.

* An applicant sees the cases of the applicant record linked to their account, nothing else.
* A staff member holding a case-handling role (window clerk, handler, section chief, leader) in
  a unit sees the cases of that unit's department (a section counts as its department), by the
  item's department or by any task ever opened there; a district-wide role sees every case;
  the efficiency office's supervisor sees every case (read only).
* A task for role R in unit D may be acted on by whoever holds R in D, in a unit above D or in
  a unit below D (a section member takes a task of its department); a task assigned to a
  person only by that person.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access import has_role, is_applicant, is_staff_member
from accounts.models import Department, Role, RoleAssignment
from core.errors import AccessDenied

from .models import Case, Task

CASE_ROLES = frozenset({Role.WINDOW_CLERK, Role.HANDLER, Role.SECTION_CHIEF, Role.LEADER})
READ_ALL_ROLES = frozenset({Role.SUPERVISOR})


def require_window_clerk(user) -> None:
    """Window intake (窗口收件) is for window clerks, on the pages and over the API alike."""
    if not (is_staff_member(user) and has_role(user, Role.WINDOW_CLERK)):
        raise AccessDenied("窗口受理须由窗口受理员办理")


def _assignments(user) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_runtime_assignments", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user))
        user._runtime_assignments = cached
    return cached


def _tree() -> tuple[dict[int, int | None], dict[int, str]]:
    rows = list(Department.objects.values_list("pk", "parent_id", "kind"))
    return {pk: parent for pk, parent, _ in rows}, {pk: kind for pk, _, kind in rows}


def _ancestors(pk: int, parents: dict) -> list[int]:
    chain = []
    while pk is not None:
        chain.append(pk)
        pk = parents.get(pk)
    return chain


def _descendants(pk: int, parents: dict) -> set[int]:
    out = {pk}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in out and child not in out:
                out.add(child)
                changed = True
    return out


def _department_of(pk: int, parents: dict, kinds: dict) -> int:
    """The department-level unit a unit belongs to (a section's department; itself otherwise)."""
    for node in _ancestors(pk, parents):
        if kinds.get(node) == Department.Kind.DEPARTMENT:
            return node
    return pk


def _scope(user) -> tuple[bool, set[int]]:
    """(sees everything, department ids whose cases the user sees)."""
    cached = getattr(user, "_runtime_scope", None)
    if cached is not None:
        return cached
    everything, ids = False, set()
    assignments = [a for a in _assignments(user) if a.role in CASE_ROLES | READ_ALL_ROLES]
    if any(a.role in READ_ALL_ROLES or a.department_id is None for a in assignments):
        everything = True
    elif assignments:
        parents, kinds = _tree()
        for a in assignments:
            ids |= _descendants(_department_of(a.department_id, parents, kinds), parents)
    user._runtime_scope = (everything, ids)
    return everything, ids


def visible_cases(user, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The one filter every read path uses."""
    cases = Case.objects.all() if queryset is None else queryset
    # Only roles open cases: a system administrator (a Django superuser, to maintain the
    # platform) reads no applicant's case unless a role in a department says so.
    if is_applicant(user):
        return cases.filter(applicant__user=user)
    if not is_staff_member(user):
        return cases.none()
    everything, ids = _scope(user)
    if everything:
        return cases
    if not ids:
        return cases.none()
    touched = Task.objects.filter(case=OuterRef("pk"), department_id__in=ids)
    return cases.filter(Q(department_id__in=ids) | Exists(touched))


def can_see_case(user, case: Case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def require_case_visible(user, case: Case) -> None:
    if not can_see_case(user, case):
        raise AccessDenied("没有权限查看此办件")


def _task_units(user, role: str) -> tuple[bool, set[int]]:
    """(any unit, unit ids) where a task for ``role`` is this user's to take."""
    key = f"_runtime_task_units_{role}"
    cached = getattr(user, key, None)
    if cached is not None:
        return cached
    held = [a for a in _assignments(user) if a.role == role]
    anywhere, ids = any(a.department_id is None for a in held), set()
    if held and not anywhere:
        parents, _ = _tree()
        for a in held:
            ids |= set(_ancestors(a.department_id, parents)) | _descendants(a.department_id, parents)
    setattr(user, key, (anywhere, ids))
    return anywhere, ids


def can_act_on_task(user, task: Task) -> bool:
    if user is None:
        return True  # the system itself (deemed acceptance)
    if not is_staff_member(user):
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.pk
    anywhere, ids = _task_units(user, task.role)
    return anywhere or (task.department_id in ids)


def holds_step_role(user, task: Task) -> bool:
    """Whether the person holds the task's role in a unit the task belongs to (district-wide, or
    the task's unit, above or below it), whoever the task is assigned to."""
    anywhere, ids = _task_units(user, task.role)
    return anywhere or task.department_id in ids


def require_task_actor(user, task: Task) -> None:
    if not can_act_on_task(user, task):
        who = Role(task.role).label if task.role in Role.values else task.role
        where = f"{task.department.name}的" if task.department_id else ""
        raise AccessDenied(f"此环节应由{where}“{who}”办理，您无权操作")


def inbox(user) -> QuerySet[Task]:
    """Open tasks this person may act on now, most urgent first."""
    tasks = Task.objects.filter(state__in=["open"]).select_related("case", "case__applicant", "department")
    if not is_staff_member(user):
        return tasks.none()
    condition = Q(assignee=user)
    roles = {a.role for a in _assignments(user) if a.role in CASE_ROLES}
    for role in roles:
        anywhere, ids = _task_units(user, role)
        unassigned = Q(role=role, assignee__isnull=True)
        condition |= unassigned if anywhere else unassigned & Q(department_id__in=ids)
    return tasks.filter(condition).order_by("due_on", "opened_at", "pk")


def can_read_all(user) -> bool:
    return _scope(user)[0] if is_staff_member(user) else False
