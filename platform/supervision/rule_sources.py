"""Where the case clock's rules and limits come from: the database as it stands (the sweep), or with
one drafted change applied (the impact preview, ``supervision.preview``).

The case-clock kinds take a ``RuleSource`` instead of reading the district defaults and the item
versions themselves, so the preview judges by exactly the queries the sweep compiles, only with
other rules in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class LimitShift:
    """A drafted change of an item's limits: working days added to the promised and statutory
    limits (negative: shortened) of the item's cases. The working-day index counts working days,
    so a deadline moved by N working days is its ordinal plus N — plain column arithmetic."""

    item_id: int
    promised: int = 0
    statutory: int = 0

    def __bool__(self) -> bool:
        return bool(self.promised or self.statutory)


@dataclass(frozen=True)
class RuleSource:
    """The district defaults (``district``: None = the stored ones) and, for one item
    (``item_id``), its drafted rule set (``item_rules``: None = each version's own) and limits
    (``shift``). The live source (no arguments) is what the sweep uses."""

    district: dict | None = None
    item_id: int | None = None
    item_rules: dict | None = None
    shift: LimitShift | None = None

    @cached_property  # read once per source: the registered kinds make a new one for each judgement
    def district_rules(self) -> dict:
        from designer import rulesets
        from designer.selectors import district_supervision_defaults

        return district_supervision_defaults() if self.district is None else rulesets.upgrade(self.district)

    def effective(self, version) -> dict:
        """The rules a case of ``version`` is judged by: its item's (the draft's, for the item
        changed) over the district's, key by key (``designer.selectors.effective_supervision_rules``)."""
        from designer import rulesets

        own = version.document["supervision"]
        if self.item_rules is not None and version.item_id == self.item_id:
            own = self.item_rules
        return {**self.district_rules, **rulesets.upgrade(own)}

    def item_versions(self):
        """The ids of the changed item's versions (a query)."""
        from designer.models import ItemVersion

        return ItemVersion.objects.filter(item_id=self.item_id).values("pk")
