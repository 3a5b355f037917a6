"""Celery tasks of the archive: thin wrappers around archives.services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .package import ENDED_STATES


@shared_task(name="archives.build_package")
def build_package(case_id: int) -> str | None:
    from .services import package_build

    record = package_build(case_id=case_id)
    return record.case.number if record else None


@shared_task(name="archives.build_pending")
def build_pending() -> int:
    """The duty: archive the ended cases that have no package yet (every one in the default
    profile; in production those whose queued task was lost). Returns how many were archived."""
    from .services import packages_pending

    return packages_pending()


def case_changed(sender, *, case_id: int, state: str, **kwargs) -> None:
    """Receiver of runtime's ``case_changed`` (sent after commit): archive a case that has ended.
    By the state the event carries, so the steps before the end queue nothing (package_build
    checks the state again under its lock). Only when a worker takes the task: without a broker
    Celery would run it here, rendering the case's PDFs inside the request that ended it, so in
    the default profile the duty ``archives.build_pending`` archives it minutes later instead."""
    if state in ENDED_STATES and not settings.CELERY_TASK_ALWAYS_EAGER:
        build_package.delay(case_id)
