"""The efficiency office's pages of thematic supervision (专题监察): the list of themes, a theme
edited with the condition builder, a run (matching cases, counts by department and item, the
weekly trend, orders from findings) and its Excel download. Thin: ``theme_query`` reads,
``theme_services`` writes."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import inputs, spreadsheets
from core.errors import AccessDenied, PlatformError, RefusedInput
from core.paging import page_of

from . import charts, theme_export, theme_query, theme_services
from .access import require_supervisor
from .theme_models import Period, PeriodBasis, Schedule, SupervisionTheme


class ThemeForm(forms.Form):
    title = forms.CharField(label="专题名称", max_length=100)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    items = forms.MultipleChoiceField(label="事项（不选为全部事项）", required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 6}))
    departments = forms.MultipleChoiceField(label="实施部门（不选为全部部门）", required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 6}))
    service_themes = forms.MultipleChoiceField(label="服务主题（不选为不限）", required=False,
                                               widget=forms.SelectMultiple(attrs={"size": 4}))
    period_basis = forms.ChoiceField(label="期间按", choices=PeriodBasis.choices)
    period = forms.ChoiceField(label="期间", choices=Period.choices)
    period_from = forms.DateField(label="起始日期（指定起止日期时填写）", required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    condition = forms.CharField(label="条件", required=False, widget=forms.Textarea(attrs={
        "rows": 3, "class": "code", "data-rule-input": "", "data-rule-variables": "theme-variables"}))
    schedule = forms.ChoiceField(label="定期运行", choices=Schedule.choices, required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        from accounts.models import Department
        from designer.models import ApprovalItem, ServiceTheme

        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(code, f"{name}（{code}）") for code, name in ApprovalItem.objects.in_service()
                                        .order_by("code").values_list("code", "name")]
        self.fields["departments"].choices = list(Department.objects.filter(kind=Department.Kind.DEPARTMENT)
                                                  .order_by("code").values_list("code", "name"))
        self.fields["service_themes"].choices = list(ServiceTheme.objects.values_list("code", "name"))

    def clean_condition(self):
        text = (self.cleaned_data.get("condition") or "").strip()
        if not text:
            return None
        try:
            return inputs.loads(text)
        except RefusedInput as exc:
            raise forms.ValidationError(f"条件不是有效的 JSON：{exc.message}") from exc

    def show_problems(self, details: dict) -> None:
        """The service's problems next to their fields (``items[1]`` → 事项, ``condition.$.and[0]`` → 条件)."""
        for path, problems in details.items():
            name = re.split(r"[.\[]", path, maxsplit=1)[0]
            where = "" if name == path or name != "condition" else f"（{path.removeprefix('condition.')}）"
            for problem in problems:
                self.add_error(name if name in self.fields else None, f"{problem}{where}")


def _initial(theme: SupervisionTheme | None, request) -> dict:
    if theme is None:
        return {"items": request.GET.getlist("items"), "period_basis": PeriodBasis.ACCEPTED, "period": Period.ALL,
                "active": True}
    return {"title": theme.title, "description": theme.description, "items": theme.items,
            "departments": theme.departments, "service_themes": theme.service_themes,
            "period_basis": theme.period_basis, "period": theme.period, "period_from": theme.period_from,
            "period_to": theme.period_to, "condition": theme_query.condition_text(theme.condition),
            "schedule": theme.schedule, "active": theme.active}


@login_required
def themes(request):
    require_supervisor(request.user)
    return render(request, "supervision/themes.html", {
        "themes": SupervisionTheme.objects.order_by("title", "pk"),
    })


@login_required
def theme_edit(request, pk: int | None = None):
    """New theme or edit one; the builder offers the facts and the fields of the items chosen."""
    require_supervisor(request.user)
    theme = get_object_or_404(SupervisionTheme, pk=pk) if pk else None
    form = ThemeForm(request.POST or None, initial=_initial(theme, request))
    # 按所选事项更新: the same page again with the fields of the items just chosen, nothing saved
    refreshing = request.method == "POST" and request.POST.get("op") == "refresh"
    if request.method == "POST" and not refreshing and form.is_valid():
        data = form.cleaned_data
        try:
            saved = theme_services.theme_save(
                actor=request.user, theme=theme, title=data["title"], description=data["description"],
                items=data["items"], departments=data["departments"], service_themes=data["service_themes"],
                period_basis=data["period_basis"], period=data["period"], period_from=data["period_from"],
                period_to=data["period_to"], condition=data["condition"], schedule=data["schedule"] or "",
                active=data["active"])
        except AccessDenied:
            raise  # the 403 page, not the form's problems
        except PlatformError as exc:
            form.show_problems(exc.details or {"": [exc.message]})
        else:
            messages.success(request, f"已保存专题“{saved.title}”")
            return redirect("supervision:theme_run", pk=saved.pk)
    items = form.data.getlist("items") if form.is_bound else form.initial.get("items") or []
    scope = theme_query.Scope(items=tuple(items))
    variables = theme_query.builder_variables(scope)
    history = theme.history.select_related("history_user").order_by("-history_date")[:10] if theme else []
    return render(request, "supervision/theme_edit.html", {
        "theme": theme, "form": form, "theme_variables": variables, "refreshing": refreshing,
        "history": [(h, _condition_words(h.condition, variables)) for h in history],
    })


@login_required
def theme_run(request, pk: int):
    require_supervisor(request.user)
    theme = get_object_or_404(SupervisionTheme, pk=pk)
    today = timezone.localdate()
    scope = theme_query.Scope.of(theme)
    try:
        found = theme_query.results(scope, theme.condition, today)
    except PlatformError as exc:  # saved valid, but a field it names has since left the items' forms
        messages.error(request, f"专题条件已不能运行，请修改专题：{exc.message}")
        return redirect("supervision:theme_edit", pk=theme.pk)
    start, end = scope.bounds(today)
    return render(request, "supervision/theme_run.html", {
        "theme": theme, "found": found, "page": page_of(request, found.cases), "start": start, "end": end,
        "condition_words": _words(theme, scope), "scope_names": _scope_names(theme),
        "trend": charts.theme_trend_svg([(f"{week:%m-%d}", n) for week, n in found.weekly]),
        "deliveries": theme.deliveries.order_by("-period_start")[:12],
    })


def _scope_names(theme: SupervisionTheme) -> list[tuple[str, str]]:
    """The scope by Chinese names: (事项, "食品经营许可（新办）、…"), …; codes no longer known as they are."""
    from accounts.models import Department
    from designer.models import ApprovalItem, ServiceTheme

    out = []
    for label, model, codes in (("事项", ApprovalItem, theme.items), ("部门", Department, theme.departments),
                                ("服务主题", ServiceTheme, theme.service_themes)):
        if codes:
            names = dict(model.objects.filter(code__in=codes).values_list("code", "name"))
            out.append((label, "、".join(names.get(code, code) for code in codes)))
    return out


def _words(theme: SupervisionTheme, scope) -> str:
    return _condition_words(theme.condition, theme_query.builder_variables(scope))


def _condition_words(condition, variables: list[dict]) -> str:
    """A condition in the builder's words over ``variables`` (its JSON only if the builder cannot say it)."""
    from rules.builder import describe

    if condition is None:
        return "无条件（范围内全部办件）"
    return describe(condition, {row["name"]: row for row in variables}) or theme_query.condition_text(condition)


@login_required
def theme_download(request, pk: int):
    require_supervisor(request.user)
    theme = get_object_or_404(SupervisionTheme, pk=pk)
    today = timezone.localdate()
    try:
        found = theme_query.results(theme_query.Scope.of(theme), theme.condition, today)
    except PlatformError as exc:
        messages.error(request, f"专题条件已不能运行，请修改专题：{exc.message}")
        return redirect("supervision:theme_edit", pk=theme.pk)
    return spreadsheets.download(theme_export.to_xlsx(theme, found, today=today),
                                 f"theme-{theme.pk}-{today:%Y%m%d}.xlsx")


@login_required
@require_POST
def theme_order(request, pk: int, number: str):
    """A finding becomes a supervision order (instruction and limit from the row's small form)."""
    from runtime.models import Case

    require_supervisor(request.user)
    theme = get_object_or_404(SupervisionTheme, pk=pk)
    case = get_object_or_404(Case, number=number)
    try:
        limit = int(request.POST.get("limit_days", ""))
    except ValueError:
        limit = 0
    try:
        order = theme_services.finding_order(actor=request.user, theme=theme, case=case,
                                             instruction=request.POST.get("instruction", ""), limit_days=limit)
    except AccessDenied:
        raise  # the 403 page, not a message
    except PlatformError as exc:
        messages.error(request, exc.said())
    else:
        messages.success(request, f"已就办件{case.number}发出督办单 {order.number}，请{order.department.name}于"
                                  f"{order.due_on:%Y-%m-%d}前回复")
    page = request.POST.get("page", "")
    return redirect(reverse("supervision:theme_run", args=[theme.pk]) + (f"?page={page}" if page.isdigit() else ""))
