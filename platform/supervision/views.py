"""Pages of the efficiency office (dashboard, case drill-down, orders) and the staff's
supervision inbox. Thin: reads through ``selectors``, changes through one service each."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import AccessDenied, PlatformError
from core.paging import page_of
from workdays import working_days_between

from . import charts, dashboard_snapshot, joint, selectors, services, tasks
from .access import is_supervisor, require_staff, require_supervisor
from .models import Complaint, Level, Notification, SupervisionOrder


@login_required
def dashboard(request):
    """效能办监察大屏: live counts by department and level, the time-left map, charts, cards."""
    require_supervisor(request.user)
    figures = dashboard_snapshot.latest(today=timezone.localdate())  # kept by the last sweep
    return render(request, "supervision/dashboard.html", {
        "levels": [Level(v) for v in Level.values],
        "taken_at": figures.taken_at,
        "by_department": figures.by_department,
        "alerts": dashboard_snapshot.cards(figures),
        "external": figures.external,
        "time_left": figures.time_left,
        "charts": {
            "trend": charts.card_trend_svg(figures.trend),
            "time_left": charts.time_left_svg(figures.time_left),
            "on_time": charts.on_time_svg(figures.on_time),
            "days_used": charts.days_used_svg(figures.days_used),
        },
    })


@login_required
@require_POST
def sweep_now(request):
    """Sweep at once. With a Celery worker the sweep is queued (at a city's scale it takes longer
    than a request may); in the broker-less profile of a small district it runs here."""
    require_supervisor(request.user)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        tasks.sweep.delay()
        messages.info(request, "已开始巡查，由后台执行；完成后刷新本页，“统计数字截至”显示的时间即为本次巡查。")
        return redirect("supervision:dashboard")
    result = services.sweep()
    messages.success(request, f"巡查完成：新增告警 {result.raised}，升级 {result.escalated}，解除 {result.resolved}")
    if result.skipped:
        messages.warning(request, f"{len(result.skipped)} 条监察规则有误，本次巡查已跳过（已产生告警）："
                                  + "；".join(str(s) for s in result.skipped[:5]))
    return redirect("supervision:dashboard")


@login_required
def case_detail(request, number):
    """Drill-down: the case's clock, alerts, orders and log, and the order form."""
    from runtime import selectors as runtime_selectors
    from runtime.views import material_url

    require_supervisor(request.user)
    case = get_object_or_404(runtime_selectors.cases_for(request.user), number=number)
    clock = runtime_selectors.clock_of(case)
    # the promised limit, by which supervision judges: negative once overdue (shown as 超期)
    promised_left = (working_days_between(clock.on, case.promised_due_on).value
                     if clock.phase == "running" and case.promised_due_on else None)
    return render(request, "supervision/case.html", {
        "case": case, "clock": clock, "log": runtime_selectors.log_of(case), "promised_left": promised_left,
        "promised_overdue": -promised_left if promised_left is not None and promised_left < 0 else 0,
        "application": runtime_selectors.application_of(case, file_url=material_url),
        "tasks": case.tasks.select_related("department", "completed_by").order_by("opened_at", "pk"),
        "alerts": selectors.alerts_of_case(case), "orders": selectors.orders_of_case(case),
        "joint": joint.case_branches(case, timezone.localdate()),
    })


@login_required
@require_POST
def order_issue(request, number):
    from runtime import selectors as runtime_selectors

    require_supervisor(request.user)
    case = get_object_or_404(runtime_selectors.cases_for(request.user), number=number)
    try:
        limit = int(request.POST.get("limit_days", ""))
    except ValueError:
        limit = 0
    try:
        order = services.order_issue(actor=request.user, case=case, instruction=request.POST.get("instruction", ""),
                                     limit_days=limit)
    except PlatformError as exc:
        messages.error(request, exc.said())
    else:
        messages.success(request, f"已发出督办单 {order.number}，请{order.department.name}于{order.due_on}前回复")
    return redirect("supervision:case", number=case.number)


@login_required
def inbox(request):
    """监察通知: my alert notices and the orders my unit must answer."""
    require_staff(request.user)
    return render(request, "supervision/inbox.html", {
        "notifications": page_of(request, selectors.notifications_for(request.user)),
        "orders": page_of(request, selectors.orders_for(request.user), param="orders_page"),
        "complaints": page_of(request, selectors.complaints_to_answer(request.user), param="complaints_page"),
        "is_supervisor": is_supervisor(request.user),
    })


@login_required
@require_POST
def order_reply(request, pk):
    require_staff(request.user)
    order = get_object_or_404(SupervisionOrder, pk=pk)
    try:
        services.order_reply(actor=request.user, order=order, reply=request.POST.get("reply", ""))
    except AccessDenied:
        raise  # the 403 page, not a message
    except PlatformError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"督办单 {order.number} 已回复")
    return redirect("supervision:inbox")


@login_required
@require_POST
def notification_read(request, pk):
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_read(actor=request.user, notification=notice)
    return redirect("supervision:inbox")


# --- complaints --------------------------------------------------------------------------------

def _departments():
    from accounts.models import Department

    return Department.objects.exclude(kind=Department.Kind.DISTRICT).order_by("code")


def complaint_new(request):
    """投诉: open to anyone; an applicant's complaint is tied to their account."""
    from accounts.models import Department
    from runtime import selectors as runtime_selectors

    form = {k: request.POST.get(k, "").strip() for k in ("case", "department", "content", "contact_name",
                                                          "contact_phone")}
    errors = []
    if request.method == "POST":
        case = department = None
        if form["case"]:
            if request.user.is_authenticated:
                case = runtime_selectors.cases_for(request.user).filter(number=form["case"]).first()
            if case is None:
                errors.append("没有找到您的这件办件，请核对编号（或不填编号，选择被投诉单位）")
        elif form["department"]:
            department = Department.objects.filter(code=form["department"]).first()
        if not errors:
            try:
                complaint = services.complaint_file(
                    actor=request.user, content=form["content"], contact_name=form["contact_name"],
                    contact_phone=form["contact_phone"], case=case, department=department)
            except PlatformError as exc:
                errors = [m for ms in exc.details.values() for m in ms] or [exc.message]
            else:
                messages.success(request, f"投诉已提交，编号 {complaint.number}")
                return redirect("supervision:complaints_mine" if request.user.is_authenticated
                                else "supervision:complaint_new")
    elif request.user.is_authenticated:
        form["contact_name"] = getattr(request.user, "display_name", "")
    return render(request, "supervision/complaint_new.html", {"form": form, "errors": errors,
                                                              "departments": _departments()})


@login_required
def complaints_mine(request):
    """我的投诉与评价: my complaints (answers, rating them) and my completed cases to rate."""
    from .models import CaseRating

    return render(request, "supervision/complaints_mine.html", {
        "complaints": selectors.complaints_of(request.user), "to_rate": selectors.cases_to_rate(request.user),
        "ratings": selectors.ratings_of(request.user), "grades": CaseRating.GRADES.items()})


@login_required
@require_POST
def case_rate(request, number):
    from runtime import selectors as runtime_selectors

    case = get_object_or_404(runtime_selectors.cases_for(request.user), number=number)
    try:
        grade = int(request.POST.get("grade", ""))
    except ValueError:
        grade = 0
    return _act(request, lambda: services.case_rate(actor=request.user, case=case, grade=grade,
                                                    comment=request.POST.get("comment", "")),
                f"已评价办件 {case.number}", "supervision:complaints_mine")


@login_required
def complaints(request):
    require_supervisor(request.user)
    return render(request, "supervision/complaints.html", {"complaints": page_of(request, selectors.complaints_all()),
                                                           "departments": _departments(),
                                                           "findings": Complaint.Finding.choices})


def _act(request, fn, ok: str, back: str):
    try:
        fn()
    except AccessDenied:
        raise  # the 403 page, not a message
    except PlatformError as exc:
        messages.error(request, exc.said())
    else:
        messages.success(request, ok)
    return redirect(back)


@login_required
@require_POST
def complaint_assign(request, pk):
    from accounts.models import Department

    complaint = get_object_or_404(Complaint, pk=pk)
    department = get_object_or_404(Department, code=request.POST.get("department", ""))
    try:
        limit = int(request.POST.get("limit_days", ""))
    except ValueError:
        limit = 0
    return _act(request, lambda: services.complaint_assign(actor=request.user, complaint=complaint,
                                                           department=department, limit_days=limit),
                f"投诉 {complaint.number} 已分派给{department.name}", "supervision:complaints")


@login_required
@require_POST
def complaint_answer(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    return _act(request, lambda: services.complaint_answer(actor=request.user, complaint=complaint,
                                                           answer=request.POST.get("answer", "")),
                f"{complaint.get_kind_display()} {complaint.number} 已答复", "supervision:inbox")


@login_required
@require_POST
def complaint_conclude(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    return _act(request, lambda: services.complaint_conclude(
        actor=request.user, complaint=complaint, finding=request.POST.get("finding", ""),
        reasons=request.POST.get("finding_reasons", "")),
        f"投诉 {complaint.number} 已作出认定", "supervision:complaints")


@login_required
@require_POST
def complaint_rate(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    try:
        rating = int(request.POST.get("rating", ""))
    except ValueError:
        rating = 0
    return _act(request, lambda: services.complaint_rate(actor=request.user, complaint=complaint, rating=rating,
                                                         note=request.POST.get("note", "")),
                f"已评价投诉 {complaint.number} 的答复", "supervision:complaints_mine")


def consultation_new(request, code):
    """咨询: a question about an item of the public catalogue, open to anyone."""
    from designer.selectors import public_catalogue

    item = get_object_or_404(public_catalogue(), code=code)
    form = {k: request.POST.get(k, "").strip() for k in ("question", "contact_name", "contact_phone")}
    errors = []
    if request.method == "POST":
        try:
            asked = services.consultation_ask(actor=request.user, item=item, question=form["question"],
                                              contact_name=form["contact_name"], contact_phone=form["contact_phone"])
        except PlatformError as exc:
            errors = [m for ms in exc.details.values() for m in ms] or [exc.message]
        else:
            messages.success(request, f"咨询已提交，编号 {asked.number}，{item.department.name}将于{asked.due_on}前答复")
            if request.user.is_authenticated:
                return redirect("supervision:complaints_mine")
            return redirect("supervision:consultation_new", code=code)
    elif request.user.is_authenticated:
        form["contact_name"] = getattr(request.user, "display_name", "")
    return render(request, "supervision/consultation_new.html", {"item": item, "form": form, "errors": errors})
