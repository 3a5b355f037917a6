"""The impact preview page's forms: drafted district defaults (the warning and both cards: the
limit each counts against and its threshold) and the past period to look back over."""

from __future__ import annotations

import copy
import datetime as dt

from django import forms

from designer.rulesets import LIMITS

LIMIT_CHOICES = list(LIMITS.items())
MONTH_FORMATS = ["%Y-%m"]
# form field → (card, key in the rule set)
CARD_FIELDS = {
    "warning_limit": ("warning", "limit"), "warning_days": ("warning", "remaining_days"),
    "warning_percent": ("warning", "remaining_percent"),
    "yellow_limit": ("yellow_card", "limit"), "yellow_over": ("yellow_card", "overdue_days_over"),
    "red_limit": ("red_card", "limit"), "red_over": ("red_card", "overdue_days_over"),
}


def _days(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=365)


class DefaultsDraftForm(forms.Form):
    warning_limit = forms.ChoiceField(label="预警按", choices=LIMIT_CHOICES)
    warning_days = _days("预警：期限前（工作日）")
    warning_percent = forms.IntegerField(label="预警：或剩余时限的百分比（0 表示不按百分比）", min_value=0, max_value=100)
    yellow_limit = forms.ChoiceField(label="黄牌按", choices=LIMIT_CHOICES)
    yellow_over = _days("黄牌：超过期限多于（工作日；0 表示一超期即是）")
    red_limit = forms.ChoiceField(label="红牌按", choices=LIMIT_CHOICES)
    red_over = _days("红牌：超过期限多于（工作日；0 表示一超期即是）")

    @classmethod
    def initial_from(cls, rules: dict) -> dict:
        return {name: rules[card][key] for name, (card, key) in CARD_FIELDS.items()}

    def rules(self, current: dict) -> dict:
        """The drafted district defaults: the current ones with the thresholds changed."""
        rules = copy.deepcopy(current)
        for name, (card, key) in CARD_FIELDS.items():
            rules[card][key] = self.cleaned_data[name]
        return rules

    @staticmethod
    def field_for_path(path: str) -> str | None:
        """``$.yellow_card.overdue_days_over`` → ``yellow_over``."""
        parts = path.removeprefix("$.").split(".")
        for name, (card, key) in CARD_FIELDS.items():
            if parts[:2] == [card, key]:
                return name
        return None


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last six whole months."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(5):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, end


class PeriodForm(forms.Form):
    start = forms.DateField(label="回看起始月份", input_formats=MONTH_FORMATS,
                            widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}))
    end = forms.DateField(label="回看截止月份", input_formats=MONTH_FORMATS,
                          widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "截止月份不能早于起始月份")
            elif (end.year - start.year) * 12 + end.month - start.month >= 24:
                self.add_error("start", "回看期间最长24个月")
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        last = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return start, last
