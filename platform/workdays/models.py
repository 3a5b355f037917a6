"""The working-day calendar as data that administrators maintain.

A year is *entered* when a :class:`CalendarYear` row exists; its days follow the weekday rule
except the :class:`SpecialDay` rows (statutory holidays, and weekend days swapped into working
days). Days of a year that is not entered are counted by the weekday rule and flagged as
provisional by the arithmetic.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


class CalendarYear(models.Model):
    class Source(models.TextChoices):
        PACKAGE = "package", "chinese-calendar 软件包"
        SPREADSHEET = "spreadsheet", "表格导入"
        MANUAL = "manual", "手工维护"

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices)
    note = models.CharField("说明", max_length=200, blank=True, help_text="例如国务院办公厅通知文号")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更新人", null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度工作日历"
        verbose_name_plural = "年度工作日历"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class SpecialDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    year = models.ForeignKey(CalendarYear, verbose_name="年份", on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("节日名称", max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    @property
    def is_workday(self) -> bool:
        return self.kind == self.Kind.WORKDAY

    def clean(self):
        if self.date and self.year_id and self.date.year != self.year_id:
            raise ValidationError({"date": f"日期 {self.date} 不属于 {self.year_id} 年"})
        if self.date and self.kind == self.Kind.WORKDAY and self.date.weekday() < 5:
            raise ValidationError({"kind": f"{self.date} 本是工作日，不能登记为调休上班"})
