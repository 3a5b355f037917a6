"""Read side of the archive: the archivist's list and the export."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .models import ArchivePackage


def packages_archived_since(day: dt.date | None) -> QuerySet[ArchivePackage]:
    packages = ArchivePackage.objects.select_related("case").order_by("archived_at", "pk")
    return packages.filter(archived_at__date__gte=day) if day else packages


def packages_search(text: str = "", retention: str = "") -> QuerySet[ArchivePackage]:
    """The archivist's list, newest first: by case number, item code or name, or applicant."""
    packages = ArchivePackage.objects.select_related("case", "case__applicant")
    text = (text or "").strip()
    if text:
        packages = packages.filter(Q(case__number__icontains=text) | Q(case__unit_code__icontains=text)
                                   | Q(case__unit_name__icontains=text) | Q(case__applicant__name__icontains=text))
    if retention:
        packages = packages.filter(retention=retention)
    return packages.order_by("-archived_at", "-pk")
