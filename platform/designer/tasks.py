"""Celery tasks: thin wrappers that call services (scheduled through core.schedule)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="designer.purge_catalogue_uploads")
def purge_catalogue_uploads() -> list[str]:
    """Daily: remove catalogue files that were tried (dry run) but never confirmed."""
    from .catalogue import uploads_purge

    return uploads_purge()
