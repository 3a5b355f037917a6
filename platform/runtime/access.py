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

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.access import departments_covered, has_role, is_applicant, is_staff_member, roles_of, units_around
from accounts.models import Applicant, Role
from core.errors import AccessDenied

from .models import Case, Channel, Pause, Task, TaskState

CASE_ROLES = frozenset({Role.WINDOW_CLERK, Role.HANDLER, Role.SECTION_CHIEF, Role.LEADER})
READ_ALL_ROLES = frozenset({Role.SUPERVISOR})


def may_take_in_at_window(user) -> bool:
    """Window intake (窗口收件) is for window clerks, on the pages and over the API alike."""
    return is_staff_member(user) and has_role(user, Role.WINDOW_CLERK)


def require_window_clerk(user) -> None:
    if not may_take_in_at_window(user):
        raise AccessDenied("窗口受理须由窗口受理员办理")


def _seen_units(user) -> set[int] | None:
    """Units whose cases the user sees (``None``: every case)."""
    if any(has_role(user, role) for role in READ_ALL_ROLES):
        return None
    return departments_covered(user, CASE_ROLES)


def visible_cases(user, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The one filter every read path uses."""
    cases = Case.objects.all() if queryset is None else queryset
    # Only roles open cases: a system administrator (a Django superuser, to maintain the
    # platform) reads no applicant's case unless a role in a department says so.
    if is_applicant(user):
        # by the applicant's id, not through a join on the user: the planner then reads the
        # applicant's own index (and an applicant with no cases costs one index probe)
        applicant = own_applicant(user)
        return cases.none() if applicant is None else cases.filter(applicant_id=applicant.pk)
    if not is_staff_member(user):
        return cases.none()
    ids = _seen_units(user)
    if ids is None:
        return cases
    if not ids:
        return cases.none()
    return cases.filter(Q(department_id__in=ids) | Exists(_tasks_in(ids)))


def _tasks_in(ids: set[int]) -> QuerySet[Task]:
    """A task of the case in one of ``ids``, as a per-row probe of the (case, department) index.

    Every case list reads the newest cases first and stops after a page; checking the cases one
    by one as they come costs a few index probes. The redundant ``case_id >= id`` keeps PostgreSQL
    from planning the alternative it would otherwise pick for a department with many tasks — a
    hash of every task's case in those departments, built before the first row (250,000 rows,
    half a second, at a million cases): a condition other than plain equality cannot be hashed.
    docs/runtime.md, "Query shapes and indexes", has the plans."""
    return Task.objects.filter(case=OuterRef("pk"), case_id__gte=OuterRef("pk"), department_id__in=ids)


def own_applicant(user) -> Applicant | None:
    """The applicant record linked to an applicant's account (cached on the user by Django)."""
    try:
        return user.applicant
    except ObjectDoesNotExist:
        return None


def can_see_case(user, case: Case) -> bool:
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def require_case_visible(user, case: Case) -> None:
    if not can_see_case(user, case):
        raise AccessDenied("没有权限查看此办件")


def can_act_on_task(user, task: Task) -> bool:
    if user is None:
        return True  # the system itself (deemed acceptance)
    if not is_staff_member(user):
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.pk
    return holds_step_role(user, task)


def holds_step_role(user, task: Task) -> bool:
    """Whether the person holds the task's role in a unit the task belongs to (district-wide, or
    the task's unit, above or below it), whoever the task is assigned to."""
    units = units_around(user, {task.role})
    return units is None or task.department_id in units


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
    for role in sorted(roles_of(user) & CASE_ROLES):
        units = units_around(user, {role})
        unassigned = Q(role=role, assignee__isnull=True)
        condition |= unassigned if units is None else unassigned & Q(department_id__in=units)
    return tasks.filter(condition).order_by("due_on", "opened_at", "pk")


def can_read_all(user) -> bool:
    return is_staff_member(user) and _seen_units(user) is None


# --- What a person may do with a case beyond its tasks. The services refuse by these and the
# pages offer the buttons by the same functions, so a page never offers what its service refuses.

def _is_own_applicant(user, case: Case) -> bool:
    return is_applicant(user) and case.applicant.user_id == user.pk


def may_resubmit(user, case: Case) -> bool:
    """补正: the applicant's own act; a window case's paper correction is entered by a window clerk
    who sees the case (an online case is corrected online by its applicant only)."""
    if _is_own_applicant(user, case):
        return True
    return (case.channel == Channel.WINDOW and is_staff_member(user) and has_role(user, Role.WINDOW_CLERK)
            and can_see_case(user, case))


def require_resubmitter(user, case: Case) -> None:
    if not may_resubmit(user, case):
        raise AccessDenied("只有申请人本人（或窗口件的受理窗口）可以办理此操作")


def may_withdraw(user, case: Case) -> bool:
    return _is_own_applicant(user, case)


def require_withdrawer(user, case: Case) -> None:
    if not may_withdraw(user, case):
        raise AccessDenied("只有申请人本人可以撤回申请")


def may_deliver(user, case: Case) -> bool:
    """送达 of a case whose workflow has no delivery step: a window clerk or handler who sees it."""
    return (is_staff_member(user) and (has_role(user, Role.WINDOW_CLERK) or has_role(user, Role.HANDLER))
            and can_see_case(user, case))


def require_deliverer(user, case: Case) -> None:
    if not may_deliver(user, case):
        raise AccessDenied("送达须由窗口受理员或承办人办理")


def may_decide_extension(user, case: Case) -> bool:
    """An extension of the statutory limit is approved by a leader of the case's department."""
    return is_staff_member(user) and has_role(user, Role.LEADER, case.department)


def require_extension_decider(user, case: Case) -> None:
    if not may_decide_extension(user, case):
        raise AccessDenied(f"延长审批期限须经{case.department.name}负责人（分管领导）批准")


def may_end_pause(user, pause: Pause) -> bool:
    """A special procedure started by a step's ``suspend`` action is ended by whoever may act on
    that step's task."""
    return pause.task is not None and is_staff_member(user) and can_act_on_task(user, pause.task)


def require_pause_ender(user, pause: Pause) -> None:
    if pause.task is None or not is_staff_member(user):
        raise AccessDenied("只有启动特殊程序的环节的办理人可以结束特殊程序")
    require_task_actor(user, pause.task)  # says whose step it is


def may_check_materials(user, case: Case) -> bool:
    """材料审查 and 纸质原件核对: whoever may act on an open step of the case (the clerk at
    pre-review, the handler at 材料审查), or a window clerk who sees the case (originals are
    brought to the window after acceptance)."""
    if not is_staff_member(user) or not case.is_open:
        return False
    open_steps = Task.objects.filter(case=case, state=TaskState.OPEN).select_related("department")
    if any(can_act_on_task(user, task) for task in open_steps):
        return True
    return has_role(user, Role.WINDOW_CLERK) and can_see_case(user, case)


def require_material_checker(user, case: Case) -> None:
    if not may_check_materials(user, case):
        raise AccessDenied("只有正在办理本件的工作人员或窗口受理员可以核查材料")
