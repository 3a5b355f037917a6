"""The efficiency office's performance page (绩效测评) and its Excel download."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import inputs, spreadsheets
from core.errors import AccessDenied, PlatformError, RefusedInput

from . import performance, score_weights
from .access import require_supervisor
from .models import PerformanceSnapshot


def _period(request) -> tuple[dt.date, dt.date, dt.date | None, list[str]]:
    """(start, end, month or None, errors) from ``?month=YYYY-MM`` or ``?from=…&to=…``; by
    default the current month up to today."""
    today = timezone.localdate()
    errors = []
    month_text = request.GET.get("month", "").strip()
    if month_text:
        try:
            month = dt.date.fromisoformat(f"{month_text}-01")
        except ValueError:
            errors.append("月份格式应为 YYYY-MM")
        else:
            start, end = performance.month_bounds(month)
            return start, end, month, errors
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or today.replace(day=1).isoformat())
        end = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        errors.append("日期格式应为 YYYY-MM-DD")
        start, end = today.replace(day=1), today
    if start > end:
        errors.append("开始日期晚于结束日期")
        start, end = today.replace(day=1), today
    return start, end, None, errors


def _tables(request):
    """The tables to show: a month's frozen snapshot when it exists (unless ``live=1``), else the
    figures computed now. Returns (tables, period, snapshot time or None, errors)."""
    start, end, month, errors = _period(request)
    taken_at = None
    if month is not None and request.GET.get("live") != "1":
        taken_at = (PerformanceSnapshot.objects.filter(month=month).values_list("taken_at", flat=True).first())
    if taken_at is not None:
        tables = {d: performance.snapshot_rows(month, d) for d in performance.DIMENSIONS}
    else:
        try:
            tables = performance.tables(start, end)
        except PlatformError as exc:
            errors.append(exc.message)
            tables = {d: [] for d in performance.DIMENSIONS}
    return tables, (start, end, month), taken_at, errors


@login_required
def performance_page(request):
    require_supervisor(request.user)
    return _page(request)


def _page(request, *, typed: dict | None = None, errors: dict | None = None, formula_text: str | None = None,
          status: int = 200):
    """The page; after a refused formula, with what the supervisor typed and what is wrong."""
    tables, (start, end, month), taken_at, period_errors = _tables(request)
    current = performance.current_formula()
    weights = score_weights.weights_of(current)
    shown_default = score_weights.weights_of(performance.DISTRICT_DEFAULT_FORMULA)
    typed = typed or {}
    return render(request, "supervision/performance.html", {
        "tables": [(PerformanceSnapshot.Dimension(d).label, list(performance.labels_of(d).values()), rows)
                   for d, rows in tables.items()],
        "figures": performance.FIGURES,
        "start": start, "end": end, "month": month, "taken_at": taken_at, "errors": period_errors,
        "formula": formula_text if formula_text is not None else json.dumps(current, ensure_ascii=False, indent=1),
        "formula_name": performance.current_formula_name(), "query": request.GET.urlencode(),
        "snapshots": PerformanceSnapshot.objects.dates("month", "month", order="DESC")[:24],
        # the table of deductions: the current formula's, or the district default's when the
        # current one is not such a table (it stays as it is until this form is saved)
        "weights_shown": weights is not None, "base_and_floor": weights or shown_default,
        "weight_rows": score_weights.rows(weights or shown_default, typed, errors),
        "typed": typed, "form_errors": errors or {}, "advanced_open": formula_text is not None,
    }, status=status)


@login_required
def performance_export(request):
    require_supervisor(request.user)
    tables, (start, end, month), taken_at, _errors = _tables(request)
    title = f"绩效测评 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}" + (f"（月度快照，生成于 {timezone.localtime(taken_at):%Y-%m-%d %H:%M}）"
                                                          if taken_at else "")
    return spreadsheets.download(performance.to_xlsx(tables, title=title),
                                 f"performance-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


@login_required
@require_POST
def formula_save(request):
    """A supervisor replaces the score formula: a table of deductions, or json-logic under 高级
    (validated over the figures). A refusal shows the page again with what was typed."""
    require_supervisor(request.user)
    typed = request.POST.dict()
    by_table = typed.get("op") == "weights"

    def again(errors: dict | None = None):
        return _page(request, typed=typed, errors=errors, formula_text=None if by_table else typed.get("rule", ""),
                     status=400)

    if by_table:
        weights, errors = score_weights.parse(typed)
        if weights is None:
            messages.error(request, "计分办法未保存：" + "；".join(errors.values()))
            return again(errors)
        rule = score_weights.rule_of(weights)
    else:
        try:
            rule = inputs.loads(typed.get("rule", ""))
        except RefusedInput as exc:
            messages.error(request, f"计分公式不是有效的 JSON：{exc.message}")
            return again()
    try:
        saved = performance.formula_save(actor=request.user, name=typed.get("name", ""), rule=rule)
    except AccessDenied:
        raise  # the 403 page, not a message
    except PlatformError as exc:
        messages.error(request, exc.said())
        return again()
    messages.success(request, f"已启用计分公式“{saved.name}”")
    return redirect("supervision:performance")
