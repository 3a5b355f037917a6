"""Use cases of thematic supervision (专题监察): save a theme (refused unless its condition
compiles), deliver a scheduled theme's findings once per period, turn a finding into an order."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from accounts.models import Department, RoleAssignment
from core.errors import AccessDenied, InvalidInput, PlatformError
from rules import RuleInvalid, RuleNotCompilable

from . import theme_query
from .access import ANSWERING_ROLES, is_supervisor
from .channels import Message, deliver_everywhere
from .theme_models import Period, PeriodBasis, Schedule, SupervisionTheme, ThemeDelivery, ThemeFinding


def _require_supervisor(actor) -> None:
    if not is_supervisor(actor):
        raise AccessDenied("只有效能办监察员可以设置和运行专题监察")


def _unknown_codes(model, codes, field: str, label: str, problems: dict) -> list[str]:
    codes = [c for c in dict.fromkeys(str(c).strip() for c in (codes or [])) if c]
    known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    for i, code in enumerate(codes):
        if code not in known:
            problems.setdefault(f"{field}[{i}]", []).append(f"{label}“{code}”不存在")
    return codes


def _scope_problems(*, items, departments, service_themes, period_basis, period, period_from, period_to,
                    schedule, problems: dict) -> theme_query.Scope:
    from designer.models import ApprovalItem, ServiceTheme

    items = _unknown_codes(ApprovalItem, items, "items", "事项", problems)
    departments = _unknown_codes(Department, departments, "departments", "部门", problems)
    service_themes = _unknown_codes(ServiceTheme, service_themes, "service_themes", "服务主题", problems)
    if period_basis not in PeriodBasis.values:
        problems["period_basis"] = ["请选择期间按受理日期还是办结日期"]
    if period not in Period.values:
        problems["period"] = ["请选择期间"]
    if period == Period.FIXED:
        if period_from is None:
            problems["period_from"] = ["指定起止日期时请填写起始日期"]
        if period_to is None:
            problems["period_to"] = ["指定起止日期时请填写截止日期"]
        if period_from and period_to and period_from > period_to:
            problems["period_to"] = ["截止日期不能早于起始日期"]
    else:
        period_from = period_to = None
    if schedule not in Schedule.values:
        problems["schedule"] = ["请选择每周、每月或不定期"]
    return theme_query.Scope(tuple(items), tuple(departments), tuple(service_themes), period_basis, period,
                             period_from, period_to)


@transaction.atomic
def theme_save(*, actor, theme: SupervisionTheme | None = None, title: str, description: str = "",
               items=(), departments=(), service_themes=(), period_basis: str = PeriodBasis.ACCEPTED,
               period: str = Period.ALL, period_from: dt.date | None = None, period_to: dt.date | None = None,
               condition=None, schedule: str = Schedule.NONE, active: bool = True) -> SupervisionTheme:
    """Create or change a theme. Its condition must compile to one query over its scope: anything
    else is refused with the JSON path of what cannot (``condition.$…``), and nothing is saved."""
    _require_supervisor(actor)
    problems: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        problems["title"] = ["请填写专题名称"]
    elif len(title) > 100:
        problems["title"] = ["专题名称不超过100个字"]
    scope = _scope_problems(items=items, departments=departments, service_themes=service_themes,
                            period_basis=period_basis, period=period, period_from=period_from, period_to=period_to,
                            schedule=schedule, problems=problems)
    if condition is not None:
        try:
            theme_query.compile_condition(condition, scope, timezone.localdate())
        except (RuleInvalid, RuleNotCompilable) as exc:
            for path, messages in (exc.details or {"$": [exc.message]}).items():
                problems.setdefault(f"condition.{path}", []).extend(messages)
    if problems:
        raise InvalidInput("专题监察设置有误", details=problems)
    if theme is None:
        theme = SupervisionTheme(created_by=actor)
    else:
        theme = SupervisionTheme.objects.select_for_update().get(pk=theme.pk)
    theme.title, theme.description = title, (description or "").strip()
    theme.items, theme.departments, theme.service_themes = list(scope.items), list(scope.departments), list(
        scope.service_themes)
    theme.period_basis, theme.period, theme.period_from, theme.period_to = (
        scope.period_basis, scope.period, scope.period_from, scope.period_to)
    theme.condition, theme.schedule, theme.active = condition, schedule or Schedule.NONE, bool(active)
    theme.updated_at = timezone.now()
    theme.save()
    return theme


def period_start(schedule: str, today: dt.date) -> dt.date:
    """The first day of the scheduled period holding ``today``: its Monday, or its month's 1st."""
    if schedule == Schedule.WEEKLY:
        return today - dt.timedelta(days=today.weekday())
    return today.replace(day=1)


def _recipients(department_ids: set[int]) -> tuple[set[int], dict[int, set[int]]]:
    """(the supervisors, {department: those who answer for it}) — active accounts only."""
    from accounts.access import department_tree
    from accounts.models import Role

    supervisors = set(RoleAssignment.objects.filter(role=Role.SUPERVISOR, user__is_active=True)
                      .values_list("user_id", flat=True))
    tree = department_tree()
    units = {dept: tree.descendants(dept) | {dept} for dept in department_ids}
    everyone = set().union(*units.values()) if units else set()
    held = list(RoleAssignment.objects.filter(role__in=ANSWERING_ROLES, user__is_active=True,
                                              department_id__in=everyone).values_list("user_id", "department_id"))
    by_department = {dept: {user for user, unit in held if unit in within} for dept, within in units.items()}
    return supervisors, by_department


def _send(users: dict[int, str], subject: str) -> int:
    from django.contrib.auth import get_user_model

    sent = 0
    for user in get_user_model().objects.filter(pk__in=users).order_by("pk"):
        deliver_everywhere(Message(recipient=user.username, email=(user.email or "").strip(),
                                   mobile=(getattr(user, "phone", "") or "").strip(), subject=subject,
                                   text=users[user.pk], params={"subject": subject}))
        sent += 1
    return sent


def theme_deliver(*, theme: SupervisionTheme, today: dt.date) -> ThemeDelivery | None:
    """Run one scheduled theme for the period holding ``today`` and tell the efficiency office and
    the departments concerned — once: a period already delivered delivers nothing (``None``)."""
    start = period_start(theme.schedule, today)
    if ThemeDelivery.objects.filter(theme=theme, period_start=start).exists():
        return None
    rows = list(theme_query.matching_cases(theme_query.Scope.of(theme), theme.condition, today)
                .values_list("pk", "department_id"))
    try:
        with transaction.atomic():
            delivery = ThemeDelivery.objects.create(theme=theme, period_start=start, ran_at=timezone.now(),
                                                    findings=len(rows))
            ThemeFinding.objects.bulk_create([ThemeFinding(delivery=delivery, case_id=case, department_id=dept)
                                              for case, dept in rows], batch_size=2000)
    except IntegrityError:  # another worker delivered the same period at the same moment
        return None
    per_department = Counter(dept for _case, dept in rows)
    names = dict(Department.objects.filter(pk__in=per_department).values_list("pk", "name"))
    label = "本周" if theme.schedule == Schedule.WEEKLY else "本月"
    subject = f"【专题监察】{theme.title}（{start:%Y-%m-%d}起{label}）"
    summary = "；".join(f"{names[d]}{n}件" for d, n in sorted(per_department.items(), key=lambda kv: names[kv[0]]))
    supervisors, by_department = _recipients(set(per_department))
    texts: dict[int, str] = {user: f"{subject}发现{len(rows)}件" + (f"：{summary}" if summary else "")
                             + "。请登录平台“专题监察”查看。" for user in supervisors}
    for dept, users in by_department.items():
        for user in users:
            texts.setdefault(user, f"{subject}发现贵单位办件{per_department[dept]}件，请登录平台查看并整改。")
    delivery.recipients = _send(texts, subject)
    delivery.save(update_fields=["recipients"])
    return delivery


def themes_deliver_due(*, today: dt.date | None = None) -> list[ThemeDelivery]:
    """The duty: every active scheduled theme whose current period has not been delivered yet.
    A theme that fails (a column its condition names no longer exists) does not stop the others."""
    import logging

    today = today or timezone.localdate()
    delivered = []
    for theme in SupervisionTheme.objects.filter(active=True).exclude(schedule=Schedule.NONE).order_by("pk"):
        try:  # not in one transaction: each theme's findings are stored before its messages leave
            delivery = theme_deliver(theme=theme, today=today)
        except (PlatformError, DatabaseError):
            logging.getLogger(__name__).exception("专题监察“%s”定期运行失败", theme.title)
            continue
        if delivery is not None:
            delivered.append(delivery)
    return delivered


@transaction.atomic
def finding_order(*, actor, theme: SupervisionTheme, case, instruction: str, limit_days: int):
    """A case the theme finds becomes a supervision order (the one order service, ``order_issue``);
    the findings of the theme's deliveries that hold the case point at it."""
    from .services import order_issue

    _require_supervisor(actor)
    if not theme_query.matching_cases(theme_query.Scope.of(theme), theme.condition, timezone.localdate()).filter(
            pk=case.pk).exists() and not ThemeFinding.objects.filter(delivery__theme=theme, case=case).exists():
        raise InvalidInput("该办件不在本专题的发现之中", details={"case": ["该办件不在本专题的发现之中"]})
    order = order_issue(actor=actor, case=case, instruction=instruction, limit_days=limit_days)
    ThemeFinding.objects.filter(delivery__theme=theme, case=case, order__isnull=True).update(order=order)
    return order
