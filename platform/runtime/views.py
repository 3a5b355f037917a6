"""Pages of the applicants' service hall and the staff workbench. Thin: every read goes through
``runtime.selectors`` (the one access filter) and every change through one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.access import can_use_admin, is_applicant, is_staff_member
from accounts.selectors import role_assignments_for
from core.errors import PlatformError
from workdays import working_days_between

from . import selectors, services
from .access import can_act_on_task, inbox
from .actions import actions as action_registry
from .clock import today as clock_today
from .definitions import SPECIAL_PROCEDURES, public_catalogue
from .engine import definition_of
from .models import Task, TaskState


@login_required
def hall(request):
    """网上虚拟办事大厅: the catalogue and the applicant's own cases."""
    if not is_applicant(request.user):
        return redirect("runtime:workbench")
    applicant = getattr(request.user, "applicant", None)
    text = request.GET.get("q", "").strip()
    catalogue = public_catalogue()
    if text:
        catalogue = catalogue.filter(name__icontains=text)
    return render(request, "runtime/hall.html", {
        "applicant": applicant, "catalogue": catalogue, "q": text,
        "cases": selectors.cases_for(request.user)[:50],
        "certificates": selectors.certificates_for(request.user)[:50],
    })


def _case_or_404(request, number):
    return get_object_or_404(selectors.cases_for(request.user), number=number)


@login_required
def case_detail(request, number):
    """The case page: for the applicant progress and documents; for staff also the form,
    materials, log, clock and exactly the actions this person may take now."""
    case = _case_or_404(request, number)
    context = {"case": case, "progress": selectors.progress(case), "clock": selectors.clock_of(case),
               "documents": case.documents.order_by("issued_at", "pk"),
               "extensions": case.extensions.all(), "pauses": case.pauses.all()}
    if is_staff_member(request.user):
        defn = definition_of(case)
        titles = {k: p.get("title", k) for k, p in defn.form["schema"].get("properties", {}).items()}
        tasks = []
        for task in selectors.open_tasks_of(case):
            if task.state != TaskState.OPEN or not can_act_on_task(request.user, task):
                continue
            step = defn.step(task.step_key)
            allowed = [action_registry.get(a) for a in step.get("actions", []) if a in action_registry]
            returns = [(k, defn.step(k)["name"]) for k in step.get("return_to", [])]
            tasks.append({"task": task, "actions": allowed, "returns": returns})
        context.update(form_rows=[(titles.get(k, k), v) for k, v in case.form_data.items()],
                       materials=case.materials.select_related("certificate"), log=selectors.log_of(case),
                       my_tasks=tasks, procedures=SPECIAL_PROCEDURES)
    return render(request, "runtime/case.html", context)


@login_required
def document_pdf(request, number, document):
    case = _case_or_404(request, number)
    found = get_object_or_404(case.documents, number=document)
    response = HttpResponse(selectors.document_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.number}.pdf"'
    return response


@login_required
@require_POST
def task_act(request, number, task_id):
    case = _case_or_404(request, number)
    task = get_object_or_404(Task, pk=task_id, case=case)
    data = request.POST
    params = {k: data[k] for k in ("return_to", "procedure", "expected_days", "days", "method") if data.get(k)}
    if data.get("items"):
        params["items"] = [line for line in data["items"].splitlines() if line.strip()]
    expected = data.get("expected_version")
    try:
        services.task_complete(actor=request.user, task=task, action=data.get("action", ""),
                               opinion=data.get("opinion", ""), expected_version=int(expected) if expected else None,
                               **params)
    except PlatformError as error:
        details = "；".join(m for ms in error.details.values() for m in ms)
        messages.error(request, error.message + (f"（{details}）" if details else ""))
        return redirect("runtime:case", number=number)
    messages.success(request, "已办理")
    return redirect("runtime:case", number=number)


@login_required
def workbench(request):
    """工作台: the inbox, most urgent first, with the time left coloured."""
    if not is_staff_member(request.user):
        return redirect("runtime:hall")
    now = clock_today()
    rows = []
    for task in inbox(request.user)[:200]:
        left = working_days_between(now, task.due_on).value if task.due_on else None
        colour = "green" if left is None or left > 1 else ("warning" if left >= 0 else "red")
        rows.append({"task": task, "left": left, "colour": colour})
    return render(request, "runtime/workbench.html", {
        "assignments": role_assignments_for(request.user), "can_use_admin": can_use_admin(request.user),
        "rows": rows})


def progress_query(request):
    """Public progress query by case number and verification code, no login."""
    case, asked = None, False
    if request.GET.get("number"):
        asked = True
        case = selectors.public_progress(request.GET.get("number", ""), request.GET.get("code", ""))
    return render(request, "runtime/progress.html", {
        "case": case, "asked": asked, "steps": selectors.progress(case) if case else []})
