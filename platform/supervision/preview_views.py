"""The impact preview pages (影响预览): drafted district defaults, and an item's working copy against
its version in service. Thin: ``preview.impact_preview`` computes; this shapes it for the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.models import Department
from core.errors import InvalidInput, PlatformError

from . import charts, preview
from .models import ExternalCase, Level
from .preview_forms import DefaultsDraftForm, PeriodForm, default_period

ACTION_WORDS = {"raised": "新增{}", "escalated": "升级为{}", "resolved": "解除{}", "": "{}（不变）"}
KIND_WORDS = {"case_clock": "办件时限", "external_case_clock": "外部系统办件时限"}


def _period_form(data, today):
    start, end = default_period(today)
    return PeriodForm(data, initial={"start": start, "end": end})


def _period(form: PeriodForm, today):
    return form.period() if form.is_bound and form.is_valid() else default_period(today)


def _in_words(open_level: int, level: int) -> str:
    action, shown = preview.outcome(open_level, level)
    return ACTION_WORDS[action].format(Level(shown).label) if shown else "无告警"


def shown(result: preview.Preview) -> dict:
    """The preview as the page shows it: totals by level, a table by department, the cases treated
    otherwise (numbers, not ids) and the months with their chart."""
    from runtime.models import Case

    levels = [Level(v) for v in preview.CARD_LEVELS]
    if any(lv == Level.ANOMALY for t in (result.current.total, result.proposed.total) for _a, lv in t):
        levels.append(Level.ANOMALY)  # an item's changed anomaly conditions
    actions = list(preview.ACTIONS.items())
    totals = [{"level": lv, "cells": [(result.current.total[(a, lv)], result.proposed.total[(a, lv)]) for a, _ in actions]}
              for lv in levels]
    ids = set(result.current.by_department) | set(result.proposed.by_department)
    names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    departments = []
    for pk in sorted(ids, key=lambda d: names.get(d, "")):
        now, new = result.current.by_department[pk], result.proposed.by_department[pk]
        departments.append({"name": names.get(pk, "—"), "cells": [
            (sum(now[(a, lv)] for lv in levels), sum(new[(a, lv)] for lv in levels)) for a, _ in actions if a != "open"] + [
            (now[("open", lv)], new[("open", lv)]) for lv in levels]})
    numbers = dict(Case.objects.filter(pk__in=[c.case_id for c in result.changes if c.case_id])
                   .values_list("pk", "number"))
    external = dict(ExternalCase.objects.filter(pk__in=[c.subject_id for c in result.changes if not c.case_id])
                    .values_list("pk", "number"))
    changes = [{"number": numbers.get(c.case_id) if c.case_id else f"外部系统办件 {external.get(c.subject_id, '')}",
                "link": bool(c.case_id), "kind": c.label or KIND_WORDS.get(c.kind, c.kind), "department": names.get(c.department_id, "—"),
                "open": Level(c.open_level).label if c.open_level else "无", "current": _in_words(c.open_level, c.current),
                "proposed": _in_words(c.open_level, c.proposed)} for c in result.changes]
    cards = (Level.YELLOW, Level.RED)
    months = [{"label": f"{m.month:%Y-%m}", "actual": [m.actual[lv] for lv in cards],
               "current": [m.current[lv] for lv in cards], "proposed": [m.proposed[lv] for lv in cards]}
              for m in result.months]
    chart = charts.preview_cards_svg([(m["label"], sum(m["actual"]), sum(m["current"]), sum(m["proposed"]))
                                      for m in months]) if months else ""
    return {"result": result, "actions": [label for _a, label in actions], "levels": levels, "totals": totals,
            "departments": departments, "changes": changes, "months": months, "chart": chart,
            "more": max(0, result.changed_count - len(changes))}


@login_required
def defaults_preview(request):
    """Draft new district defaults, see what they would do, and (the legal office) publish them."""
    from designer.access import can_review
    from designer.selectors import district_supervision_defaults
    from designer.services import supervision_defaults_update

    preview.require_previewer(request.user)
    today = timezone.localdate()
    current = district_supervision_defaults()
    data = request.POST if request.method == "POST" else None
    form = DefaultsDraftForm(data, initial=DefaultsDraftForm.initial_from(current))
    period_form = _period_form(data, today)
    context = {"form": form, "period_form": period_form, "can_publish": can_review(request.user),
               "title": "全区默认监察规则"}
    if data is not None and form.is_valid() and period_form.is_valid():
        rules = form.rules(current)
        try:
            if request.POST.get("action") == "publish":
                supervision_defaults_update(actor=request.user, rules=rules)
                messages.success(request, "已发布新的全区默认监察规则，下次巡查起按新规则判定")
                return redirect("supervision:preview_defaults")
            result = preview.impact_preview(actor=request.user, change=preview.change_of_defaults(rules),
                                            today=today, period=_period(period_form, today))
        except InvalidInput as exc:
            for path, problems in exc.details.items():
                for problem in problems:
                    form.add_error(DefaultsDraftForm.field_for_path(path), f"{problem}（{path}）")
        except PlatformError as exc:
            messages.error(request, exc.message)
        else:
            context.update(shown(result))
    return render(request, "supervision/preview.html", context)


@login_required
def item_preview(request, code):
    """An item's working copy (its rule set, its limits) against the version in service."""
    from designer.access import can_review
    from designer.models import ApprovalItem

    preview.require_previewer(request.user)
    item = get_object_or_404(ApprovalItem, code=code)
    today = timezone.localdate()
    period_form = _period_form(request.GET or None, today)
    context = {"item": item, "period_form": period_form, "title": f"事项“{item.name}”",
               "can_publish": can_review(request.user) and item.state == "in_review"}
    try:
        change = preview.change_of_item(item)
        result = preview.impact_preview(actor=request.user, change=change, today=today,
                                        period=_period(period_form, today))
    except PlatformError as exc:
        context["refused"] = exc.message
    else:
        context.update(shown(result))
    return render(request, "supervision/preview.html", context)
