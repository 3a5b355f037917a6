"""Thematic supervision (专题监察): a theme is data — a title, a scope and a condition built with
the condition builder — and each scheduled period's findings are kept, so a period is delivered
once and each finding can become a supervision order (docs/supervision.md, 专题监察)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class PeriodBasis(models.TextChoices):
    ACCEPTED = "accepted", "受理日期"
    COMPLETED = "completed", "办结日期"


class Period(models.TextChoices):
    ALL = "all", "不限"
    THIS_WEEK = "this_week", "本周"
    THIS_MONTH = "this_month", "本月"
    THIS_QUARTER = "this_quarter", "本季度"
    THIS_YEAR = "this_year", "本年"
    FIXED = "fixed", "指定起止日期"


class Schedule(models.TextChoices):
    NONE = "", "不定期（手动运行）"
    WEEKLY = "weekly", "每周"
    MONTHLY = "monthly", "每月"


class SupervisionTheme(models.Model):
    """One theme of the efficiency office. The scope lists codes (items, departments, service
    themes: an empty list is no restriction), so the theme and its history are plain data."""

    title = models.CharField("专题名称", max_length=100)
    description = models.TextField("说明", blank=True)
    items = models.JSONField("事项（编码）", default=list, blank=True)
    departments = models.JSONField("实施部门（编码）", default=list, blank=True)
    service_themes = models.JSONField("服务主题（编码）", default=list, blank=True)
    period_basis = models.CharField("期间按", max_length=16, choices=PeriodBasis.choices, default=PeriodBasis.ACCEPTED)
    period = models.CharField("期间", max_length=16, choices=Period.choices, default=Period.ALL)
    period_from = models.DateField("起始日期", null=True, blank=True)
    period_to = models.DateField("截止日期", null=True, blank=True)
    condition = models.JSONField("条件（json-logic）", null=True, blank=True)
    schedule = models.CharField("定期运行", max_length=16, choices=Schedule.choices, default=Schedule.NONE,
                                blank=True)
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "专题监察"
        verbose_name_plural = "专题监察"
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class ThemeDelivery(models.Model):
    """A scheduled theme's findings of one period (a week from Monday, a month from its 1st),
    delivered once: the unique (theme, period) stops a second run — or a second worker — of the
    same period from delivering again."""

    theme = models.ForeignKey(SupervisionTheme, verbose_name="专题", on_delete=models.CASCADE,
                              related_name="deliveries")
    period_start = models.DateField("周期开始日期")
    ran_at = models.DateTimeField("运行时间")
    findings = models.PositiveIntegerField("发现件数")
    recipients = models.PositiveIntegerField("通知人数", default=0)

    class Meta:
        verbose_name = "专题监察定期发现"
        verbose_name_plural = "专题监察定期发现"
        ordering = ["-period_start", "theme_id"]
        constraints = [models.UniqueConstraint(fields=["theme", "period_start"], name="theme_delivered_once_per_period")]

    def __str__(self) -> str:
        return f"{self.theme} {self.period_start}"


class ThemeFinding(models.Model):
    """One case a scheduled run found, and the supervision order made of it, if any."""

    delivery = models.ForeignKey(ThemeDelivery, verbose_name="定期发现", on_delete=models.CASCADE,
                                 related_name="rows")
    case = models.ForeignKey("runtime.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("accounts.Department", verbose_name="实施部门", on_delete=models.PROTECT,
                                   related_name="+")
    order = models.ForeignKey("supervision.SupervisionOrder", verbose_name="督办单", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "专题监察发现"
        verbose_name_plural = "专题监察发现"
        constraints = [models.UniqueConstraint(fields=["delivery", "case"], name="theme_finding_once")]

    def __str__(self) -> str:
        return f"{self.delivery} {self.case_id}"
