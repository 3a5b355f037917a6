"""Pages of the efficiency office (dashboard, case drill-down, orders) and the staff's
supervision inbox. Thin: reads through ``selectors``, changes through one service each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import AccessDenied, PlatformError

from . import charts, selectors, services
from .access import is_supervisor, require_staff, require_supervisor
from .models import Level, Notification, SupervisionOrder


def _guard(check, user) -> None:
    try:
        check(user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
def dashboard(request):
    """效能办监察大屏: live counts by department and level, the time-left map, charts, cards."""
    _guard(require_supervisor, request.user)
    today = timezone.localdate()
    time_left = selectors.time_left_map(today)
    on_time = selectors.on_time_by_department(today)
    days_used = selectors.working_days_used_by_item(today)
    return render(request, "supervision/dashboard.html", {
        "levels": [Level(v) for v in Level.values],
        "by_department": selectors.counts_by_department(),
        "alerts": selectors.recent_alerts(),
        "time_left": time_left,
        "charts": {
            "trend": charts.card_trend_svg(selectors.card_trend(today)),
            "time_left": charts.time_left_svg(time_left),
            "on_time": charts.on_time_svg(on_time) if on_time else "",
            "days_used": charts.days_used_svg(days_used) if days_used else "",
        },
    })


@login_required
@require_POST
def sweep_now(request):
    _guard(require_supervisor, request.user)
    result = services.sweep()
    messages.success(request, f"巡查完成：新增告警 {result.raised}，升级 {result.escalated}，解除 {result.resolved}")
    return redirect("supervision:dashboard")


@login_required
def case_detail(request, number):
    """Drill-down: the case's clock, alerts, orders and log, and the order form."""
    from runtime import selectors as runtime_selectors

    _guard(require_supervisor, request.user)
    case = get_object_or_404(runtime_selectors.cases_for(request.user), number=number)
    return render(request, "supervision/case.html", {
        "case": case, "clock": runtime_selectors.clock_of(case), "log": runtime_selectors.log_of(case),
        "tasks": case.tasks.select_related("department", "completed_by").order_by("opened_at", "pk"),
        "alerts": selectors.alerts_of_case(case), "orders": selectors.orders_of_case(case),
    })


@login_required
@require_POST
def order_issue(request, number):
    from runtime import selectors as runtime_selectors

    _guard(require_supervisor, request.user)
    case = get_object_or_404(runtime_selectors.cases_for(request.user), number=number)
    try:
        limit = int(request.POST.get("limit_days", ""))
    except ValueError:
        limit = 0
    try:
        order = services.order_issue(actor=request.user, case=case, instruction=request.POST.get("instruction", ""),
                                     limit_days=limit)
    except PlatformError as exc:
        messages.error(request, "；".join([exc.message, *[m for ms in exc.details.values() for m in ms]]))
    else:
        messages.success(request, f"已发出督办单 {order.number}，请{order.department.name}于{order.due_on}前回复")
    return redirect("supervision:case", number=case.number)


@login_required
def inbox(request):
    """监察通知: my alert notices and the orders my unit must answer."""
    _guard(require_staff, request.user)
    return render(request, "supervision/inbox.html", {
        "notifications": selectors.notifications_for(request.user)[:100],
        "orders": selectors.orders_for(request.user),
        "is_supervisor": is_supervisor(request.user),
    })


@login_required
@require_POST
def order_reply(request, pk):
    _guard(require_staff, request.user)
    order = get_object_or_404(SupervisionOrder, pk=pk)
    try:
        services.order_reply(actor=request.user, order=order, reply=request.POST.get("reply", ""))
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
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
