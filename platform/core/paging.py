"""Page counts that stay cheap at a million rows.

Counting every visible case for "page 1 of N" read all of them a second time after the page itself
(a second at a million cases). A list counts at most ``COUNT_CAP`` rows, in no particular order,
and says so honestly beyond it ("超过 1,000 件"); pages beyond the cap are not offered (narrow the
list by search or state instead). Counting 10,000 of a window clerk's cases, who sees them through
tasks, took 200 ms on the two-core machine of docs/runtime.md; 1,000 take 20.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """A Django paginator whose ``count`` stops at ``COUNT_CAP`` (``capped`` tells when it did)."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return min(len(rows), self.cap + 1)
        # which rows are counted does not matter, reading them in order does:
        # SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1), unordered
        return rows.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def count_label(self) -> str:
        return f"超过 {self.cap:,} 件" if self.capped else f"共 {self.count:,} 件"
