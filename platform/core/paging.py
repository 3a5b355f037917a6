"""Page counts that stay cheap at a million rows.

Counting every visible case for "page 1 of N" read all of them a second time after the page itself
(hundreds of milliseconds at a million cases). A list counts at most ``COUNT_CAP`` rows, and says
so honestly beyond it ("超过 10,000 件"); later pages than the cap reaches are not offered (narrow
the list by search or state instead).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Django paginator whose ``count`` stops at ``COUNT_CAP`` (``capped`` tells when it did)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        # COUNT(*) over at most cap + 1 rows: SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)
        return min(self.object_list[: self.cap + 1].count(), self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return f"超过 {self.cap:,} 件" if self.capped else f"共 {self.count:,} 件"
