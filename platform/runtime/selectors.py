"""Read-side queries of the runtime. Every query about cases starts from
``access.visible_cases`` (or is given a case the caller already checked)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Role

from . import clock
from .access import visible_cases
from .definitions import public_catalogue, publicly_named
from .documents import render_pdf
from .models import ACTIVE_TASK_STATES, Case, Certificate, Document, LogEntry, PublicNotice, Task, TaskState


def cases_for(user) -> QuerySet[Case]:
    """The cases ``user`` may see, newest first (searching them: ``runtime.case_search``)."""
    return visible_cases(user).select_related("applicant", "department").order_by("-submitted_at", "-pk")


# --- The public catalogue -------------------------------------------------------------------

@dataclass(frozen=True)
class CatalogueQuery:
    """What the hall and the catalogue API filter by; every part optional, all combined."""

    text: str = ""  # in the item's name or code
    department: str = ""  # the implementing department's code
    theme: str = ""  # a service theme's code

    @classmethod
    def from_params(cls, params) -> CatalogueQuery:
        return cls(*((params.get(key) or "").strip()[:100] for key in ("q", "department", "theme")))


def catalogue_search(query: CatalogueQuery = CatalogueQuery()) -> QuerySet:
    """Published items the hall may show (never a confidential one), filtered by text,
    department and theme together; each with its themes in the district's order."""
    from django.db.models import Prefetch, Q

    from designer.models import ServiceTheme

    items = public_catalogue()
    if query.text:
        items = items.filter(Q(current_version__name__icontains=query.text) | Q(code__icontains=query.text))
    if query.department:
        items = items.filter(department__code=query.department)
    if query.theme:
        items = items.filter(themes__code=query.theme)
    return items.prefetch_related(Prefetch("themes", queryset=ServiceTheme.objects.order_by("position", "code")))


def catalogue_departments() -> QuerySet:
    """The departments that have an item in the public catalogue (the hall's department filter)."""
    from accounts.models import Department

    return Department.objects.filter(pk__in=public_catalogue().values("department")).order_by("code")


def document_pdf(document: Document) -> bytes:
    return render_pdf(document.template, number=document.number, issuer=document.context.get("department_name", ""),
                      context=document.context)


@dataclass(frozen=True)
class ProgressStep:
    name: str
    desk: str  # role and unit, never a staff member's name
    state: str
    opened_at: object
    completed_at: object
    action: str


def progress(case: Case) -> list[ProgressStep]:
    """Each step of the case as an applicant may see it: when, and whose desk by role only."""
    steps = []
    for task in Task.objects.filter(case=case).select_related("department").order_by("opened_at", "pk"):
        role = Role(task.role).label if task.role in Role.values else ""
        desk = f"{task.department.name}·{role}" if task.department_id else role
        label = {"approve": "通过", "return": "退回", "reject": "不予许可/不予受理", "request_correction": "告知补正",
                 "complete": "办结", "deemed": "逾期视为受理"}.get(task.action, "")
        shown = task.get_state_display()
        if case.paused_since is not None and task.state in ACTIVE_TASK_STATES:
            shown += "（暂停计时）"  # the step waits, and its days do not count
        steps.append(ProgressStep(task.step_name, desk, shown, task.opened_at, task.completed_at, label))
    return steps


def public_progress(number: str, code: str) -> Case | None:
    """The public query by case number and verification code (no login); a confidential item's case is
    never answered online (涉密事项不上网), as if the number were wrong."""
    import hmac

    case = (Case.objects.filter(publicly_named("version", "item"), number=(number or "").strip())
            .select_related("applicant", "department").first())
    if case is None or not hmac.compare_digest(case.verification_code, (code or "").strip()):
        return None
    return case


def log_of(case: Case) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(case=case).order_by("seq")


def clock_of(case: Case) -> clock.ClockStatus:
    return clock.status(case)


def open_tasks_of(case: Case) -> QuerySet[Task]:
    return Task.objects.filter(case=case, state__in=ACTIVE_TASK_STATES).select_related("department")


def certificates_for(user) -> QuerySet[Certificate]:
    """Applicants see their own certificates; staff see the shared registry."""
    from accounts.access import is_applicant, is_staff_member

    certificates = Certificate.objects.select_related("holder", "certificate_type", "department", "item")
    if is_applicant(user):
        return certificates.filter(holder__user=user)
    if is_staff_member(user) or getattr(user, "is_superuser", False):
        return certificates
    return certificates.none()


def draft_of(applicant, version, unit_code: str):
    """The applicant's own saved draft for this unit of this version, if any."""
    from .models import Draft

    return Draft.objects.filter(applicant=applicant, version=version, unit_code=unit_code).first()


# --- Public notices (公示) on the hall --------------------------------------------------------

def public_notices():
    """Every notice the hall may show: never one of a confidential item (which never goes online
    anyway), judged by the version the case is pinned to."""
    return PublicNotice.objects.filter(publicly_named("case__version", "case__item")).select_related("task")


def running_public_notices(today=None):
    """The notices running today (公示公告), the newest first."""
    today = today or clock.today()
    return public_notices().filter(closed_at__isnull=True, task__state=TaskState.NOTICE, starts_on__lte=today,
                                   ends_on__gte=today)


def case_notices(case: Case):
    """A case's notices with their objections (the staff case page)."""
    return case.public_notices.select_related("task").prefetch_related("objections").order_by("published_at", "pk")
