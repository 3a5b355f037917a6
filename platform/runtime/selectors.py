"""Read-side queries of the runtime. Every query about cases starts from
``access.visible_cases`` (or is given a case the caller already checked)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Role

from . import clock, form_values, material_files
from .access import visible_cases
from .decisions import decisions_by_step
from .definitions import public_catalogue, publicly_named
from .documents import render_pdf
from .engine import definition_of
from .models import (
    ACTIVE_TASK_STATES,
    Case,
    Certificate,
    Document,
    LogEntry,
    Material,
    MaterialCheck,
    PublicNotice,
    Task,
    TaskState,
)
from .steps import behaviour_of


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
    from django.db.models import Prefetch

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


# What a step's action did, as the progress table says it (a step may say it its own way:
# ``StepBehaviour.action_labels``, e.g. 予以受理, 不予受理, 已送达).
ACTION_RESULTS = {"approve": "通过", "return": "退回", "reject": "不予许可", "request_correction": "告知补正",
                  "complete": "办结", "deemed": "逾期视为受理"}


def progress(case: Case) -> list[ProgressStep]:
    """Each step of the case as an applicant may see it: when, and whose desk by role only."""
    steps = []
    for task in Task.objects.filter(case=case).select_related("department").order_by("opened_at", "pk"):
        role = Role(task.role).label if task.role in Role.values else ""
        desk = f"{task.department.name}·{role}" if task.department_id else role
        label = behaviour_of(task.step_type).label_of(task.action, ACTION_RESULTS.get(task.action, ""))
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


def withdrawal_of(case: Case) -> LogEntry | None:
    """The log entry of the applicant's withdrawal (its opinion is the reason), if withdrawn."""
    if case.state != "withdrawn":
        return None
    return case.log.filter(kind="withdrawn").order_by("-pk").first()


def draft_materials(draft) -> dict:
    """The materials kept with a draft, by material key (none without a draft)."""
    return {m.key: m for m in draft.materials.all()} if draft is not None else {}


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


@dataclass(frozen=True)
class MaterialReview:
    """One material on the staff case page, with the check of its file and of its paper
    original that stand (the latest of each), and whether its original is to be verified."""

    material: Material
    file_check: MaterialCheck | None
    original_check: MaterialCheck | None
    original_expected: bool

    @property
    def viewable(self) -> bool:
        """The browser shows its file itself (PDF, image): it opens in the viewer pane."""
        return material_files.viewable(self.material)

    def corrections(self) -> list[str]:
        """The correction notice's lines this material asks for (“名称：理由”)."""
        return [f"{self.material.name}：{c.reason}" for c in (self.file_check, self.original_check)
                if c is not None and c.verdict == MaterialCheck.Verdict.NEEDS_CORRECTION]


def material_reviews(case: Case, defn) -> list[MaterialReview]:
    """The case's current materials (those a correction replaced are left out) with their checks.
    A paper original is to be verified when the applicant sends it to the window, or the item
    accepts that material on paper only."""
    latest: dict[tuple[int, str], MaterialCheck] = {}
    for check in MaterialCheck.objects.filter(case=case).select_related("checked_by").order_by("pk"):
        latest[(check.material_id, check.subject)] = check
    reviews = []
    for material in case.materials.filter(superseded=False).select_related("certificate").order_by("pk"):
        spec = defn.material(material.key) or {}
        reviews.append(MaterialReview(
            material, latest.get((material.pk, MaterialCheck.Subject.FILE)),
            latest.get((material.pk, MaterialCheck.Subject.ORIGINAL)),
            material.paper_original or spec.get("medium") == "paper"))
    return reviews


def correction_items(reviews: list[MaterialReview]) -> list[str]:
    """What the one-time correction notice is pre-filled with: every material marked 需补正."""
    return [line for review in reviews for line in review.corrections()]


@dataclass(frozen=True)
class Application:
    """The application as every page shows it (``runtime/_form_values.html``): the form's fields
    and the officers' decisions grouped under their steps."""

    fields: list
    decisions: list


def application_of(case: Case, *, file_url: Callable[[Material], str]) -> Application:
    """``file_url``: the address of a material's file for the person looking (an upload field
    links to the case's current material it names)."""
    defn = definition_of(case)
    current = {m.key: m for m in case.materials.filter(superseded=False).exclude(file="")}

    def file_link(key: str):
        material = current.get(key)
        return (file_url(material), material.name) if material is not None else None

    return Application(form_values.fields(defn.form, case.form_data, file_link=file_link),
                       decisions_by_step(case, defn))
def certificate_by_code(code: str) -> Certificate | None:
    """The certificate version a verification code names (public: the code is the secret)."""
    return (Certificate.objects.select_related("holder", "certificate_type", "department")
            .filter(verification_code=code).first() if code else None)
