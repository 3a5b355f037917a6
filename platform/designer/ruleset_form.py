"""The rule editor page's form: the item's warning and cards, each either the district default or
the item's own (which limit it counts against and its threshold in working days)."""

from __future__ import annotations

import copy

from django import forms

from .forms import DesignerForm
from .rulesets import LIMITS, upgrade

LIMIT_CHOICES = list(LIMITS.items())
CARDS = {"warning": "预警", "yellow_card": "黄牌", "red_card": "红牌"}
FIELDS = {"warning": ("remaining_days", "remaining_percent"), "yellow_card": ("overdue_days_over",),
          "red_card": ("overdue_days_over",)}
LABELS = {"remaining_days": "期限前（工作日）", "remaining_percent": "或剩余时限的百分比（0 表示不按百分比）",
          "overdue_days_over": "超过期限多于（工作日；0 表示一超期即是）"}


def describe(card: str, spec: dict) -> str:
    """One rule in words, as the published practice says it."""
    limit = LIMITS[spec["limit"]]
    if card == "warning":
        text = f"{limit}届满前{spec['remaining_days']}个工作日起预警"
        if spec.get("remaining_percent"):
            text += f"（或剩余不足{limit}的{spec['remaining_percent']}%）"
        return text
    name = CARDS[card]
    over = spec["overdue_days_over"]
    return f"超过{limit}即{name}" if over == 0 else f"超过{limit}{over}个工作日以上（第{over + 1}个工作日起）{name}"


class RulesetForm(DesignerForm):
    def __init__(self, *args, rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        own = upgrade(rules)
        for card, label in CARDS.items():
            spec = own.get(card)
            self.fields[f"{card}__own"] = forms.BooleanField(
                label=f"{label}：本事项自定（不勾选则用全区默认）", required=False, initial=spec is not None)
            self.fields[f"{card}__limit"] = forms.ChoiceField(label=f"{label}按", choices=LIMIT_CHOICES,
                                                              initial=(spec or {}).get("limit", "promised"))
            for name in FIELDS[card]:
                self.fields[f"{card}__{name}"] = forms.IntegerField(
                    label=f"{label}：{LABELS[name]}", min_value=0, max_value=365, required=False,
                    initial=(spec or {}).get(name, 0 if name == "remaining_percent" else None))

    def clean(self):
        data = super().clean()
        for card, label in CARDS.items():
            if data.get(f"{card}__own"):
                for name in FIELDS[card]:
                    if name != "remaining_percent" and data.get(f"{card}__{name}") is None:
                        self.add_error(f"{card}__{name}", f"请填写{label}的天数")
        return data

    def apply(self, doc: dict) -> dict:
        rules = upgrade(doc.get("supervision") or {})
        for card in CARDS:
            if not self.cleaned_data.get(f"{card}__own"):
                rules.pop(card, None)
                continue
            spec = {"limit": self.cleaned_data[f"{card}__limit"]}
            for name in FIELDS[card]:
                spec[name] = self.cleaned_data.get(f"{card}__{name}") or 0
            rules[card] = spec
        doc = copy.deepcopy(doc)
        doc["supervision"] = rules
        return doc

    @staticmethod
    def field_for_path(path: str) -> str | None:
        """``$.supervision.yellow_card.overdue_days_over`` → ``yellow_card__overdue_days_over``."""
        parts = path.removeprefix("$.supervision.").split(".")
        if parts and parts[0] in CARDS:
            return f"{parts[0]}__{parts[1]}" if len(parts) > 1 and parts[1] in (*FIELDS[parts[0]], "limit") else None
        return None
