"""Celery tasks: thin wrappers that call services (scheduled through core.schedule)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.purge_sheet_uploads")
def purge_sheet_uploads() -> list[str]:
    """Daily: remove staff and unit sheets that were tried (dry run) but never confirmed."""
    from .import_views import stash

    return stash.purge()
