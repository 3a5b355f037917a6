"""Pagination of every list page that can grow, with counts that stay cheap at a million rows.

One page size, one way to read the page number (a bad or too large number shows the last page
rather than an error), one pager template (``core/_pager.html``) whose links keep the page's other
query parameters (its search).

Counting every visible case for "page 1 of N" read all of them a second time after the page itself
(a second at a million cases). A list counts at most ``COUNT_CAP`` rows, in no particular order,
and says so honestly beyond it ("超过 1,000 件"); pages beyond the cap are not offered (narrow the
list by search or state instead). Counting 10,000 of a window clerk's cases, who sees them through
tasks, took 200 ms on the two-core machine of docs/runtime.md; 1,000 take 20. Counts shown
elsewhere (the workbench's tabs) stop at the same cap with the same words (``count_capped``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1_000
PER_PAGE = 20


@dataclass(frozen=True)
class CappedCount:
    """How many rows a list has, counted up to ``cap`` + 1 (one more says "there are more")."""

    value: int
    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.value > self.cap

    @property
    def shown(self) -> int:
        """The number to show: at most ``cap``."""
        return min(self.value, self.cap)

    @property
    def label(self) -> str:
        return f"超过 {self.cap:,} 件" if self.capped else f"共 {self.value:,} 件"

    @property
    def short(self) -> str:
        """For a badge (a tab's count): "1,000+" beyond the cap."""
        return f"{self.cap:,}+" if self.capped else f"{self.value:,}"


def count_capped(rows, cap: int | None = None) -> CappedCount:
    """Count ``rows`` (a queryset or a list) up to ``cap`` (default ``COUNT_CAP``) + 1."""
    cap = COUNT_CAP if cap is None else cap
    if not isinstance(rows, QuerySet):
        return CappedCount(min(len(rows), cap + 1), cap)
    # which rows are counted does not matter, reading them in order does:
    # SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1), unordered
    return CappedCount(rows.order_by()[: cap + 1].count(), cap)


class CappedPaginator(Paginator):
    """A Django paginator whose ``count`` stops at ``COUNT_CAP`` (``capped`` tells when it did)."""

    cap = COUNT_CAP

    @cached_property
    def tally(self) -> CappedCount:
        return count_capped(self.object_list, self.cap)

    @property
    def count(self) -> int:
        return self.tally.value

    @property
    def capped(self) -> bool:
        return self.tally.capped

    @property
    def count_label(self) -> str:
        return self.tally.label


def page_of(request, rows, *, param: str = "page", per_page: int = PER_PAGE) -> Page:
    """The requested page of ``rows`` (an ordered queryset, or a list). ``param`` names the page
    number's parameter, so one page may page several lists."""
    page = CappedPaginator(rows, per_page).get_page(request.GET.get(param))

    def link(number: int) -> str:
        params = request.GET.copy()
        params[param] = number
        return f"?{params.urlencode()}"

    page.previous_link = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_link = link(page.next_page_number()) if page.has_next() else ""
    return page
