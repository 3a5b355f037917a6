"""The archivist's pages: the packages of ended cases, searchable, and each zip to download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render

from designer.defaults import RETENTION_PERIODS

from . import selectors
from .access import require_archivist
from .models import ArchivePackage

PAGE_SIZE = 50


@login_required
def packages(request):
    require_archivist(request.user)
    text, retention = request.GET.get("q", "").strip(), request.GET.get("retention", "")
    if retention not in RETENTION_PERIODS:
        retention = ""
    page = Paginator(selectors.packages_search(text, retention), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archives/packages.html", {"page": page, "q": text, "retention": retention,
                                                      "retentions": RETENTION_PERIODS})


@login_required
def download(request, number):
    require_archivist(request.user)
    package = get_object_or_404(ArchivePackage.objects.select_related("case"), case__number=number)
    return FileResponse(package.file.open("rb"), as_attachment=True, filename=package.filename,
                        content_type="application/zip")
