"""Pagination of every list page that can grow: one page size, one way to read the page number
(a bad or too large number shows the last page rather than an error), one pager template
(``core/_pager.html``) whose links keep the page's other query parameters (its search)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PER_PAGE = 20


def page_of(request, rows, *, param: str = "page", per_page: int = PER_PAGE) -> Page:
    """The requested page of ``rows`` (an ordered queryset, or a list). ``param`` names the page
    number's parameter, so one page may page several lists."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))

    def link(number: int) -> str:
        params = request.GET.copy()
        params[param] = number
        return f"?{params.urlencode()}"

    page.previous_link = link(page.previous_page_number()) if page.has_previous() else ""
    page.next_link = link(page.next_page_number()) if page.has_next() else ""
    return page
