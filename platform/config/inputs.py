"""The input guard: no URL, query string or form post reaches a view with a text the platform
refuses (``core.inputs``: a NUL byte, a lone surrogate). Such text would reach the database —
PostgreSQL refuses it in any text column or query, a 500 — so it is refused here, once for every
page and endpoint, with a 400 naming the field. JSON bodies are checked by the API's parser."""

from __future__ import annotations

from core.errors import RefusedInput
from core.inputs import check_texts

from .error_pages import refusal_response

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _texts(request):
    yield "网址", request.path
    for name, values in request.GET.lists():
        yield from ((name, v) for v in values)
    if request.method == "POST" and request.content_type in FORM_TYPES:
        for name, values in request.POST.lists():
            yield from ((name, v) for v in values)
        for name, files in request.FILES.lists():
            yield from ((name, f.name or "") for f in files)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_texts(_texts(request))
        except RefusedInput as error:
            return refusal_response(request, error)
        return self.get_response(request)
