"""Pagination of every list page that can grow, with counts that stay cheap at a million rows.

One page size, one way to read the page number (a bad or too large number shows the last page
rather than an error), one pager template (``core/_pager.html``) whose links keep the page's other
query parameters (its search).

Counting every visible case for "page 1 of N" read all of them a second time after the page itself
(a second at a million cases). A list counts at most ``COUNT_CAP`` rows, in no particular order,
and says so honestly beyond it ("超过 1,000 件"); pages beyond the cap are not offered (narrow the
list by search or state instead). Counting 10,000 of a window clerk's cases, who sees them through
tasks, took 200 ms on the two-core machine of docs/runtime.md; 1,000 take 20.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 1_000
PER_PAGE = 20


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
