"""Pages of the applicants' service hall and the staff workbench. Thin: every read goes through
``runtime.selectors`` (the one access filter) and every change through one service."""

from __future__ import annotations

import uuid
from collections import defaultdict

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.access import is_applicant, is_staff_member
from accounts.models import Applicant, Department
from accounts.selectors import role_assignments_for
from core.errors import AccessDenied, InvalidInput, PlatformError
from core.paging import page_of
from designer.flow import flow_of_unit
from designer.models import ApprovalItem
from designer.palette import ordered_fields
from designer.render import render_form

from . import access, case_search, certificates, extensions, notices, prefill, rule_data, selectors, services
from . import public_results as results
from . import workbench as workbench_lists
from .access import can_act_on_task, require_window_clerk
from .actions import actions as action_registry
from .blank_forms import blank_form_filename, blank_form_pdf
from .case_search import CaseQuery
from .certificate_pdf import certificate_filename, render_certificate_pdf, verification_path
from .clock import today as clock_today
from .decisions import titled
from .definitions import (
    SPECIAL_PROCEDURES,
    Definition,
    catalogue_themes,
    definition_for,
    guide_of,
    public_catalogue,
    published_items,
    units_of,
)
from .documents import cn_date
from .engine import definition_of
from .forms import decision_from_post, form_data_from_post, materials_from_post, with_kept
from .material_files import material_file_response
from .models import CaseState, Channel, Task, TaskState
from .steps import behaviour_of
from .throttles import THROTTLED_MESSAGE, certificate_verify_throttled, objection_throttled, progress_query_throttled
from .uploads import TYPE_LABELS
from .wording import material_form, material_requirement

RESULTS_PER_PAGE = 20


def hall(request):
    """网上虚拟办事大厅: the catalogue, public as the guides are (公开原则); once logged in, the
    applicant's own cases and certificates too. Staff have the workbench instead."""
    signed_in = request.user.is_authenticated
    if signed_in and not is_applicant(request.user):
        return redirect("runtime:workbench")
    query = selectors.CatalogueQuery.from_params(request.GET)
    return render(request, "runtime/hall.html", {
        "applicant": getattr(request.user, "applicant", None), "signed_in": signed_in,
        "catalogue": selectors.catalogue_search(query), "query": query,
        "departments": selectors.catalogue_departments(), "themes": catalogue_themes(),
        "cases": selectors.cases_for(request.user)[:50] if signed_in else [],
        "certificates": selectors.certificates_for(request.user)[:50] if signed_in else [],
        "links": extensions.links_for("hall", request.user),
    })


@login_required
def certificate_detail(request, number):
    """One certificate with its particulars: the holder's own (我的证照), or any for staff."""
    certificate = get_object_or_404(selectors.certificates_for(request.user).select_related("case"), number=number)
    return render(request, "runtime/certificate.html", {"certificate": certificate})


def public_notices(request):
    """公示公告: the notices running today, open to anyone (staff included)."""
    return render(request, "runtime/notices.html", {"notices": selectors.running_public_notices()})


def public_results(request):
    """审批结果公示 (public): decisions on public items, natural persons masked; searchable, paged."""
    text = request.GET.get("q", "").strip()[:100]
    page = page_of(request, results.decided_cases(text), per_page=RESULTS_PER_PAGE)  # counted up to 1,000
    return render(request, "runtime/results.html", {
        "q": text, "page": page, "rows": [results.public_result(case) for case in page]})


def public_notice(request, pk):
    """One notice: its period and published fields, and while it runs the objection form (no
    login; refused input comes back with its messages, everything typed kept)."""
    notice = get_object_or_404(selectors.public_notices(), pk=pk)
    running = notices.is_running(notice, clock_today())
    context = {"notice": notice, "running": running, "errors": {}, "data": {}, "refusal": ""}
    status = 200
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("name", "contact", "text")}
        if objection_throttled(request):
            context.update(data=data, refusal="提交过于频繁，请一小时后再试；如情况紧急，请致电公示单位")
            return render(request, "runtime/notice.html", context, status=429)
        try:
            objection = services.objection_submit(notice=notice, **data)
        except PlatformError as error:
            context.update(errors=error.details or {}, data=data, refusal=error.message)
            status = 400
        else:
            messages.success(request, f"您的异议已收到，受理编号：{objection.number}。请保存此编号以便查询。")
            return redirect("runtime:notice", pk=notice.pk)
    return render(request, "runtime/notice.html", context, status=status)


def _case_or_404(request, number):
    return get_object_or_404(selectors.cases_for(request.user), number=number)


@login_required
def case_detail(request, number):
    return _case_page(request, _case_or_404(request, number))


def _case_page(request, case, *, refused: dict | None = None, status: int = 200):
    """The case page: for the applicant progress and documents; for staff also the form,
    materials, log, clock and exactly the actions this person may take now. ``refused`` is a
    form the service refused (``{"form": task pk or "end-pause", "error", "data"}``): shown
    again with each message next to its field and everything typed kept."""
    running = case.pauses.filter(ended_on__isnull=True).select_related("task", "task__department").first()
    context = {"case": case, "progress": selectors.progress(case), "clock": selectors.clock_of(case),
               "documents": case.documents.order_by("issued_at", "pk"),
               "extensions": case.extensions.all(), "pauses": case.pauses.all(),
               "running": running if running is not None and running.is_special else None,
               "notice_pause": running is not None and running.is_notice,
               "running_notice": _latest_document(case, "special_procedure_notice") if running else None,
               "today_iso": clock_today().isoformat(), "refusal": refused["error"].message if refused else ""}
    notices_shown = selectors.case_notices(case)
    context["staff_view"] = is_staff_member(request.user)
    if context["staff_view"]:
        context["notices"] = notices_shown
    else:  # the applicant: that a notice runs and until when (objections are the officers')
        context["notices"] = [n for n in notices_shown if n.closed_at is None and n.task.state == TaskState.NOTICE]
    if is_staff_member(request.user):
        defn = definition_of(case)
        tasks = []
        for task in selectors.open_tasks_of(case):
            if task.state != TaskState.OPEN or not can_act_on_task(request.user, task):
                continue
            step = defn.step(task.step_key)
            behaviour = behaviour_of(task.step_type)
            desk = behaviour.desk(task, step, request.user)
            allowed = [_button(a, behaviour)
                       for a in (action_registry.get(k) for k in step.get("actions", []) if k in action_registry)
                       if a.key not in desk.get("withheld", ())]
            returns = [(k, defn.step(k)["name"]) for k in step.get("return_to", [])]
            # the task of a running procedure that approving ends (a special procedure step)
            ends_pause = bool(running and running.task_id == task.pk and case.state == CaseState.SUSPENDED)
            mine = _refused_form(refused, task.pk)
            errors = {"$" + path.removeprefix("decision"): texts for path, texts in
                      refused["error"].details.items() if path.startswith("decision")} if mine else {}
            form = step.get("decision_form")
            tasks.append({"task": task, "actions": allowed, "returns": returns, "desk": desk, "ends_pause": ends_pause,
                          "refused": mine,
                          "decision_html": render_form(form, refused["decision"] if mine else {}, errors,
                                                       prefix="decision.") if form else "",
                          "decision_errors": errors.get("$", [])})
        context["may_end_pause"] = bool(running and running.task_id
                                        and not behaviour_of(running.task.step_type).stops_clock
                                        and running.is_special  # a resubmission, the scheduler end the others
                                        and access.may_end_pause(request.user, running))
        reviews = selectors.material_reviews(case, defn)
        context.update(material_reviews=reviews, may_check=access.may_check_materials(request.user, case),
                       correction_prefill="\n".join(selectors.correction_items(reviews)),
                       refused_check=_refused_check(refused),
                       viewing=next((r.material for r in reviews if str(r.material.pk) == request.GET.get("viewing")
                                     and r.viewable), None),
                       log=[(e, titled(defn.steps.get(e.step_key, {}).get("decision_form"), e.data.get("decision")))
                            for e in selectors.log_of(case)],
                       my_tasks=tasks, procedures=SPECIAL_PROCEDURES,
                       end_pause_refused=_refused_form(refused, "end-pause"),
                       panels=extensions.render_case_panels(request, case))
    context["may_resubmit"] = case.state == CaseState.CORRECTING and access.may_resubmit(request.user, case)
    context.update(may_withdraw=case.is_open and access.may_withdraw(request.user, case),
                   withdraw_refused=_refused_form(refused, "withdraw"),
                   withdrawal=selectors.withdrawal_of(case),
                   correction=(_latest_document(case, "correction_notice")
                               if case.state == CaseState.CORRECTING else None))
    context["application"] = selectors.application_of(case, file_url=material_url)
    return render(request, "runtime/case.html", context, status=status)


def _button(action, behaviour) -> dict:
    """An action's button on this step: labelled by what it does here (the step's behaviour), and
    asking for confirmation when it cannot be undone (不予受理, 不予许可, 办结, 送达)."""
    label = behaviour.action_label(action)
    return {"key": action.key, "label": label,
            "confirm": f"确定“{label}”吗？此操作不可撤销。" if action.irreversible else ""}


def _refused_check(refused: dict | None) -> dict | None:
    """A material check the service refused: which material and check, the message, what was typed."""
    if not refused or not str(refused["form"]).startswith("check-"):
        return None
    _, material, subject = refused["form"].split("-", 2)
    return {"material": int(material), "subject": subject, "message": refused["error"].message,
            "errors": defaultdict(list, refused["error"].details), "reason": refused["data"].get("reason", "")}


def material_url(material) -> str:
    """Where a material's file opens (the case's access check applies)."""
    return reverse("runtime:material", args=[material.case.number, material.pk])


def _latest_document(case, template: str):
    return case.documents.filter(template=template).order_by("-issued_at", "-pk").first()


def _refused_form(refused: dict | None, form) -> dict | None:
    """The refused form's message, its errors by field and what was typed, if it is ``form``."""
    if not refused or refused["form"] != form:
        return None
    error, data = refused["error"], refused["data"]
    # defaultdicts: a template's lookup of a missing key (``items``) must not reach dict methods
    return {"message": error.message, "errors": defaultdict(list, error.details),
            "data": defaultdict(str, {key: data.get(key) for key in data})}


@login_required
def document_pdf(request, number, document):
    case = _case_or_404(request, number)
    found = get_object_or_404(case.documents, number=document)
    response = HttpResponse(selectors.document_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{found.number}.pdf"'
    return response


@login_required
@xframe_options_sameorigin
@csp_replace({"default-src": [NONE], "img-src": [SELF], "style-src": [UNSAFE_INLINE], "object-src": [SELF],
              "frame-ancestors": [SELF]})
def material_file(request, number, material):
    """A material's file, with the access check of every read of the case (``selectors.cases_for``):
    shown in the browser's own viewer (PDF, images; the case page opens it in its viewer pane
    beside the checklist), downloaded otherwise or with ``?download=1``."""
    case = _case_or_404(request, number)
    found = get_object_or_404(case.materials, pk=material, file__gt="")
    return material_file_response(found, inline=request.GET.get("download") != "1")


@login_required
@require_POST
def material_check(request, number, material):
    """材料审查 / 纸质原件核对 of one material (合格, or 需补正 with a reason)."""
    case = _case_or_404(request, number)
    found = get_object_or_404(case.materials, pk=material)
    data = request.POST
    expected = data.get("expected_version", "")
    try:
        check = services.material_check(actor=request.user, case=case, material=found,
                                         verdict=data.get("verdict", ""), reason=data.get("reason", ""),
                                         subject=data.get("subject", "file"),
                                         expected_version=int(expected) if expected.isdigit() else None)
    except PlatformError as error:
        return _case_page(request, case, status=400,
                          refused={"form": f"check-{found.pk}-{data.get('subject', 'file')}", "error": error,
                                   "data": data})
    messages.success(request, f"已记录：“{found.name}”{check.get_subject_display()}{check.get_verdict_display()}")
    # back to the material, still open in the viewer
    return redirect(reverse("runtime:case", args=[number]) + f"?viewing={found.pk}#material-{found.pk}")


@login_required
@require_POST
def task_act(request, number, task_id):
    case = _case_or_404(request, number)
    task = get_object_or_404(Task, pk=task_id, case=case)
    data = request.POST
    params = {k: data[k] for k in ("return_to", "procedure", "expected_days", "started_on", "ended_on", "days",
                                   "method") if data.get(k)}
    if data.get("items"):
        params["items"] = [line for line in data["items"].splitlines() if line.strip()]
    expected = data.get("expected_version")
    form = definition_of(case).step(task.step_key).get("decision_form")
    decision = decision_from_post(form, data) if form else None
    try:
        services.task_complete(actor=request.user, task=task, action=data.get("action", ""),
                               opinion=data.get("opinion", ""), decision=decision,
                               expected_version=int(expected) if expected else None, **params)
    except PlatformError as error:
        return _case_page(request, case, status=400,
                          refused={"form": task.pk, "error": error, "data": data, "decision": decision or {}})
    messages.success(request, "已办理")
    return redirect("runtime:case", number=number)


@login_required
def workbench(request):
    """工作台: 待办 / 已办 / 全部可见 with their counts, one search for all three, most urgent first,
    each row with its deadline, the working days left and supervision's colour."""
    if not is_staff_member(request.user):
        return redirect("runtime:hall")
    tab = request.GET.get("tab") if request.GET.get("tab") in workbench_lists.TABS else "todo"
    try:
        query, search_errors = CaseQuery.from_params(request.GET), {}
    except InvalidInput as error:  # shown next to its field; the lists unfiltered meanwhile
        query, search_errors = CaseQuery(), error.details
    page = page_of(request, workbench_lists.tab_rows(request.user, tab, query))
    counts = workbench_lists.counts(request.user, query, counted={tab: page.paginator.tally})
    return render(request, "runtime/workbench.html", {
        "assignments": role_assignments_for(request.user), "tab": tab, "query": query, "params": request.GET,
        "search_errors": search_errors, "page": page, "rows": workbench_lists.rows_of(page.object_list),
        "done_recent_only": tab == "done" and case_search.acted_recent_only(request.user, query),
        "done_listed": case_search.ACTED_LISTED,
        "tabs": [{"key": key, "label": label, "count": counts[key].shown, "tally": counts[key],
                  "link": _tab_link(request, key)}
                 for key, label in workbench_lists.TABS.items()],
        "reviews": workbench_lists.reviews_waiting(request.user)[:20] if tab == "todo" and query.is_empty else [],
        "states": CaseState.choices, "channels": Channel.choices})


def _tab_link(request, tab: str) -> str:
    """A tab keeps the search and starts at its first page."""
    params = request.GET.copy()
    params.pop("page", None)
    params["tab"] = tab
    return f"?{params.urlencode()}"


def progress_query(request):
    """Public progress query by case number and verification code, no login."""
    case, asked, throttled = None, False, False
    if request.GET.get("number"):
        asked = True
        throttled = progress_query_throttled(request, request.GET["number"])
        if not throttled:
            case = selectors.public_progress(request.GET.get("number", ""), request.GET.get("code", ""))
    return render(request, "runtime/progress.html", {
        "case": case, "asked": asked, "throttled": throttled, "throttled_message": THROTTLED_MESSAGE,
        "steps": selectors.progress(case) if case else [], "pauses": case.pauses.all() if case else []},
        status=429 if throttled else 200)


@login_required
def certificate_pdf(request, pk):
    """The electronic certificate of one version, for its holder (and staff of the registry)."""
    certificate = get_object_or_404(selectors.certificates_for(request.user), pk=pk)
    pdf = render_certificate_pdf(certificate, verify_url=request.build_absolute_uri(verification_path(certificate)))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, certificate_filename(certificate))
    return response


def certificate_verify(request, code):
    """证照核验 (public, no login, throttled per address): what the QR code of a certificate
    leads to. Answers 有效 / 已过期 / 已注销 / 已变更 (with the version now in force) and shows only
    what the certificate shows publicly; with the PDF's checksum (``?s=``) also whether the
    document matches the registry."""
    if certificate_verify_throttled(request):
        return render(request, "runtime/certificate_verify.html", {"throttled": True}, status=429)
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return render(request, "runtime/certificate_verify.html", {"missing": True}, status=404)
    signature = request.GET.get("s", "").strip()
    return render(request, "runtime/certificate_verify.html", {
        "view": certificates.public_view(certificate), "c": certificate,
        "signature_checked": bool(signature),
        "signature_valid": bool(signature) and certificates.signature_valid(certificate, signature)})


# --- Item guide and online application --------------------------------------------------------

def _public_item(code: str) -> ApprovalItem:
    """An item the hall may show (never a confidential one), or 404."""
    return get_object_or_404(public_catalogue(), code=code)


def _unit_definition(item: ApprovalItem, unit_code: str | None) -> Definition:
    units = units_of(item.current_version)
    if not unit_code and len(units) == 1:
        unit_code = units[0].code
    if unit_code not in {u.code for u in units}:
        raise Http404("没有这个办理阶段")
    return definition_for(item.current_version, unit_code)


def _material_rows(defn: Definition, data: dict, errors: dict, *, context: dict, certificates=(),
                   window: bool = False, kept: dict | None = None) -> list[dict]:
    """Each material of the unit with whether the rules make it required for this data (``context``:
    the case facts and decisions, as the service reads them: runtime.rule_data) and what the
    applicant's draft keeps of it (``kept``: key → ``DraftMaterial``)."""
    kept = kept or {}
    needed = {m["key"] for m in defn.required_materials({**data, **context})}
    rows = []
    for material in defn.materials:
        rows.append({
            "m": material, "needed": material["key"] in needed, "conditional": material["condition"] is not None,
            "accept": ",".join(f".{t}" for t in material["file_types"]),
            "types": "、".join(TYPE_LABELS.get(t, t) for t in material["file_types"]),
            "paper_allowed": window or material["medium"] != "electronic",
            "certificates": [c for c in certificates
                             if material["certificate_type"] and c.certificate_type
                             and c.certificate_type.code == material["certificate_type"]],
            "errors": errors.get(f"materials.{material['key']}", []),
            "kept": kept.get(material["key"]),
        })
    return rows


def new_submission_token() -> str:
    """The idempotency token of one rendered application form (services.case_submit)."""
    return uuid.uuid4().hex


def _submission_token(request) -> str:
    """The token the form was sent with; a form re-shown after a refusal keeps it (nothing was saved)."""
    return request.POST.get("submission_token", "").strip() if request.method == "POST" else ""


def _problems(error: PlatformError, *, beside: tuple[str, ...] = ()) -> list[str]:
    """Every problem that is not shown next to its own field, as one list (``beside``: other keys
    the page shows next to their input)."""
    return [m for path, ms in error.details.items()
            if not (path.startswith("$.") or path.startswith("materials.") or path.startswith("applicant.")
                    or path in beside)
            for m in ms]


def _missing_materials(defn: Definition, error: PlatformError) -> list[str]:
    """The materials still wanted, by name, for the list at the top of the page (a phone shows
    the messages next to each material far below)."""
    return [message if m["name"] in message else f"{m['name']}：{message}" for m in defn.materials
            for message in error.details.get(f"materials.{m['key']}", [])]


def item_guide(request, code):
    """办事指南 (public): every public element, the materials, downloadable templates and the
    flowchart; applicants apply from here, visitors are asked to log in first."""
    item = _public_item(code)
    guide = guide_of(item)
    document = guide.version.document
    departments = dict(Department.objects.values_list("code", "name"))
    units = [{"unit": u, "flow": flow_of_unit(document, u, departments=departments, public=True), "own_form": u.own_form,
              "fields": [u.form["schema"]["properties"][n].get("title", n) for n in ordered_fields(u.form)],
              "materials": [(m, material_requirement(m), material_form(m)) for m in u.materials]}
             for u in guide.units]
    return render(request, "runtime/item_guide.html", {
        "item": item, "guide": guide, "units": units, "can_apply": is_applicant(request.user),
        "links": extensions.links_for("item_guide", request.user, item),
        "panels": extensions.render_guide_panels(request, item)})


def application_form_pdf(request, code):
    """The unit's blank application form to print (公开: the same items the guide shows; a
    confidential one is 404). ``?unit=`` names the stage when the item has several."""
    item = _public_item(code)
    definition = _unit_definition(item, request.GET.get("unit"))
    pdf = blank_form_pdf(definition, department_name=item.department.name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, blank_form_filename(definition))
    return response


@login_required
def apply(request, code):
    """在线申请: the generated form, the materials the rules ask for, a draft saved as one types."""
    if not is_applicant(request.user) or getattr(request.user, "applicant", None) is None:
        messages.error(request, "网上申请须以申请人账户登录")
        return redirect("runtime:item-guide", code=code)
    item = _public_item(code)
    defn = _unit_definition(item, request.GET.get("unit"))
    applicant = request.user.applicant
    errors: dict = {}
    problems: list[str] = []
    draft = selectors.draft_of(applicant, item.current_version, defn.unit_code)
    if request.method == "POST":
        data = form_data_from_post(defn.form, request.POST)
        given = with_kept(materials_from_post(defn.materials, request.POST, request.FILES),
                          selectors.draft_materials(draft), request.POST)
        chosen = request.POST.get("certificate", "").strip()
        try:
            case = services.case_submit(actor=request.user, item=item, form_data=data, materials=given,
                                        unit_code=defn.unit_code, submission_token=_submission_token(request),
                                        certificate_number=chosen)
        except PlatformError as error:
            errors, problems = error.details, [error.message, *_problems(error, beside=("certificate",)),
                                               *_missing_materials(defn, error)]
            try:  # keep what was typed, and each good file and tick, even if the browser closes now
                draft = services.draft_save(actor=request.user, item=item, form_data=data, unit_code=defn.unit_code,
                                            materials=given)
            except PlatformError:
                pass
        else:
            messages.success(request, f"申请已提交，办件编号 {case.number}。接件凭证已出具，可在下方“文书”中下载。")
            return redirect("runtime:case", number=case.number)
    else:
        data = {**prefill.from_account(defn.form, applicant), **(draft.form_data if draft else {})}
        chosen = request.GET.get("certificate", "")
    return render(request, "runtime/apply.html", {
        "acts_on": _acts_on(defn, applicant, chosen, errors),
        "item": item, "defn": defn, "data": data, "form_html": render_form(defn.form, data, errors),
        "materials": _material_rows(defn, data, errors, certificates=selectors.certificates_for(request.user)
                                    .filter(status="valid").select_related("certificate_type"),
                                    context=rule_data.intake_context(defn=defn, channel=Channel.ONLINE,
                                                                     applicant=applicant, on=clock_today()),
                                    kept=selectors.draft_materials(draft)),
        "problems": problems, "draft_url": reverse("runtime:draft", args=[item.code]) + f"?unit={defn.unit_code}",
        "submission_token": _submission_token(request) or new_submission_token(),
    }, status=400 if problems else 200)


def _acts_on(defn: Definition, applicant, chosen: str, errors: dict) -> dict | None:
    """The choice of the certificate the application acts on (None: a unit that issues a new
    one): on the apply page the applicant's own valid ones of the item's type, with the window;
    at the window (``applicant`` None) the clerk types the number from the original."""
    operation = defn.operation
    if not operation.acts_on_existing:
        return None
    options = []
    for c in certificates.choosable(defn, applicant):
        dates = certificates.window_dates(defn, c)
        options.append({"number": c.number, "label": f"{c.name} {c.number}（有效期至{certificates.validity_text(c)}）",
                        "window": f"可申请期间：{cn_date(dates[0])}至{cn_date(dates[1])}" if dates else ""})
    return {"label": operation.label, "options": options, "chosen": chosen, "errors": errors.get("certificate", []),
            "type": defn.certificate["type"].name if defn.certificate["type"] else defn.certificate["name"]}


@login_required
@require_POST
def draft(request, code):
    """Autosave target of the application page: what has been typed so far, unchecked."""
    item = _public_item(code)
    try:
        defn = _unit_definition(item, request.GET.get("unit"))
        saved = services.draft_save(actor=request.user, item=item, unit_code=defn.unit_code,
                                    form_data=form_data_from_post(defn.form, request.POST))
    except PlatformError as error:
        return JsonResponse({"code": error.code, "message": error.message, "details": error.details}, status=400)
    return JsonResponse({"saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M:%S")})


# --- Window intake ----------------------------------------------------------------------------

@login_required
def intake(request):
    """窗口收件: pick the item of a paper application."""
    require_window_clerk(request.user)
    text = request.GET.get("q", "").strip()
    items = published_items().select_related("department").order_by("code")
    if text:
        items = items.filter(Q(current_version__name__icontains=text) | Q(code__icontains=text))
    rows = [{"item": i, "units": units_of(i.current_version)} for i in items.select_related("current_version")[:100]]
    return render(request, "runtime/intake.html", {"rows": rows, "q": text})


@login_required
def intake_item(request, code):
    """A paper application entered by the clerk the same day; the applicant is registered if new."""
    require_window_clerk(request.user)
    item = get_object_or_404(published_items().select_related("current_version", "department"), code=code)
    defn = _unit_definition(item, request.GET.get("unit"))
    errors: dict = {}
    problems: list[str] = []
    data: dict = {}
    person = {"kind": "natural", "name": "", "identity_number": "", "phone": "", "address": ""}
    if request.method == "POST":
        person = {k: request.POST.get(f"applicant.{k}", "").strip() for k in person}
        data = form_data_from_post(defn.form, request.POST)
        given = materials_from_post(defn.materials, request.POST, request.FILES)
        try:
            case = services.case_intake_at_window(actor=request.user, item=item, form_data=data, materials=given,
                                                  unit_code=defn.unit_code, applicant=services.ApplicantInput(**person),
                                                  submission_token=_submission_token(request),
                                                  certificate_number=request.POST.get("certificate", "").strip())
        except PlatformError as error:
            errors, problems = error.details, [error.message, *_problems(error, beside=("certificate",))]
        else:
            messages.success(request, f"已收件，办件编号 {case.number}。请打印接件凭证交申请人。")
            return redirect("runtime:case", number=case.number)
    return render(request, "runtime/intake_item.html", {
        "item": item, "defn": defn, "form_html": render_form(defn.form, data, errors), "data": data,
        "materials": _material_rows(defn, data, errors, window=True, context=rule_data.intake_context(
            defn=defn, channel=Channel.WINDOW, applicant=None, on=clock_today())), "person": person,
        "person_errors": {k.split(".", 1)[1]: v for k, v in errors.items() if k.startswith("applicant.")},
        "kinds": Applicant.Kind.choices, "problems": problems,
        "acts_on": _acts_on(defn, None, request.POST.get("certificate", ""), errors),
        "submission_token": _submission_token(request) or new_submission_token(),
    }, status=400 if problems else 200)


# --- The applicant's correction, the end of a special procedure -----------------------------

@login_required
def resubmit(request, number):
    """补正: the correction notice's list, the form as last submitted and the materials to replace."""
    case = _case_or_404(request, number)
    if not access.may_resubmit(request.user, case):
        raise PermissionDenied("只有申请人本人（或窗口件的受理窗口）可以补正")
    defn = definition_of(case)
    notice = case.documents.filter(template="correction_notice").order_by("-issued_at", "-pk").first()
    errors: dict = {}
    problems: list[str] = []
    data = case.form_data
    if request.method == "POST":
        data = form_data_from_post(defn.form, request.POST)
        given = materials_from_post(defn.materials, request.POST, request.FILES)
        expected = request.POST.get("expected_version", "")
        try:
            services.case_resubmit(actor=request.user, case=case, form_data=data, materials=given,
                                   expected_version=int(expected) if expected.isdigit() else None)
        except PlatformError as error:
            errors, problems = error.details, [error.message, *_problems(error)]
        else:
            messages.success(request, "补正材料已提交，新的接件凭证已出具。")
            return redirect("runtime:case", number=case.number)
    elif case.state != CaseState.CORRECTING:
        messages.error(request, f"办件当前状态为“{case.get_state_display()}”，不需要补正")
        return redirect("runtime:case", number=case.number)
    return render(request, "runtime/resubmit.html", {
        "case": case, "defn": defn, "notice": notice, "form_html": render_form(defn.form, data, errors), "data": data,
        "materials": _material_rows(defn, data, errors, window=case.channel == Channel.WINDOW,
                                    certificates=selectors.certificates_for(request.user).filter(status="valid")
                                    .select_related("certificate_type"),
                                    context=rule_data.case_context(case, defn, task=case.tasks.filter(
                                        state=TaskState.WAITING).first())),
        "submitted": set(case.materials.filter(superseded=False).values_list("key", flat=True)),
        "problems": problems}, status=400 if problems else 200)


@login_required
@require_POST
def withdraw(request, number):
    """撤回申请: the applicant's own case, before a decision, with the reason."""
    case = _case_or_404(request, number)
    expected = request.POST.get("expected_version", "")
    try:
        services.case_withdraw(actor=request.user, case=case, reason=request.POST.get("reason", ""),
                               expected_version=int(expected) if expected.isdigit() else None)
    except AccessDenied:
        raise  # the 403 page, not a refusal on the case page
    except PlatformError as error:
        return _case_page(request, case, refused={"form": "withdraw", "error": error, "data": request.POST},
                          status=400)
    messages.success(request, "申请已撤回")
    return redirect("runtime:case", number=number)


@login_required
@require_POST
def end_special_procedure(request, number):
    case = _case_or_404(request, number)
    expected = request.POST.get("expected_version", "")
    try:
        services.special_procedure_end(actor=request.user, case=case, result=request.POST.get("result", ""),
                                       ended_on=request.POST.get("ended_on") or None,
                                       expected_version=int(expected) if expected.isdigit() else None)
    except PlatformError as error:
        return _case_page(request, case, refused={"form": "end-pause", "error": error, "data": request.POST},
                          status=400)
    messages.success(request, "特别程序已结束，恢复计时")
    return redirect("runtime:case", number=number)
