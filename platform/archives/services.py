"""Use cases of the electronic archive."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from runtime.models import Case

from . import package
from .models import ArchivePackage


@transaction.atomic
def package_build(*, case_id: int) -> ArchivePackage | None:
    """Archive an ended case once (None when it has not ended; the existing package when it has
    one already, so a repeated task changes nothing)."""
    case = (Case.objects.select_for_update().select_related("version", "applicant", "department")
            .filter(pk=case_id, state__in=package.ENDED_STATES).first())
    if case is None:
        return None
    existing = ArchivePackage.objects.filter(case=case).first()
    if existing is not None:
        return existing
    now = timezone.now()
    built = package.build(case, archived_at=now)
    record = ArchivePackage(case=case, size=len(built.content), manifest=built.manifest,
                            manifest_sha256=built.manifest_sha256, key_id=built.key_id,
                            retention=built.manifest["保管期限"], archived_at=now)
    record.file.save(f"{case.number}.zip", ContentFile(built.content), save=False)
    record.save()
    return record


PENDING_BATCH = 200  # cases archived by one run of the duty; the next run takes the rest


def packages_pending(*, limit: int = PENDING_BATCH) -> int:
    """Archive up to ``limit`` ended cases without a package, the longest ended first; each in its
    own transaction, so one that fails leaves the others archived. Returns how many were archived."""
    pending = (Case.objects.filter(state__in=package.ENDED_STATES, archive__isnull=True)
               .order_by("updated_at", "pk").values_list("pk", flat=True)[:limit])
    done = 0
    for case_id in list(pending):
        with transaction.atomic():
            if package_build(case_id=case_id) is not None:
                done += 1
    return done
