"""Every spreadsheet the platform writes (xlsx or CSV) passes its cells through here.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, WPS and LibreOffice as a formula: ``=HYPERLINK("http://…", "点击")`` in an item's name
would become a live link (or worse, DDE) in the catalogue an officer opens. As the OWASP guidance
on CSV injection says, such text is written with a leading single quote, which the spreadsheet
shows as text; numbers and dates are left alone. Reading our own files back, ``restored`` takes
the quote off again, so an export round-trips unchanged.
"""

from __future__ import annotations

import tablib
from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restored(value):
    """The text a neutralised cell stood for (the inverse of :func:`neutralise` on text)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def neutralised(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` with every cell (and header) neutralised."""
    out = tablib.Dataset(headers=[neutralise(h) for h in dataset.headers] if dataset.headers else None,
                         title=dataset.title)
    for row in dataset:
        out.append([neutralise(cell) for cell in row])
    return out


class NeutralisedExportMixin:
    """For django-import-export resources (the admin's export button included)."""

    def export(self, *args, **kwargs):
        return neutralised(super().export(*args, **kwargs))


def download(content: bytes, filename: str, content_type: str | None = None) -> HttpResponse:
    """A file the browser saves as ``filename`` (never shows in the page); a spreadsheet's type
    follows its name (``.csv``, else xlsx)."""
    kind = content_type or (CSV_TYPE if filename.endswith(".csv") else XLSX_TYPE)
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
