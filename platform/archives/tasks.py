"""Celery tasks of the archive: thin wrappers around archives.services."""

from __future__ import annotations

from celery import shared_task

from .package import ENDED_STATES


@shared_task(name="archives.build_package")
def build_package(case_id: int) -> str | None:
    from .services import package_build

    record = package_build(case_id=case_id)
    return record.case.number if record else None


def case_changed(sender, *, case_id: int, state: str, **kwargs) -> None:
    """Receiver of runtime's ``case_changed`` (sent after commit): archive a case that has ended.
    By the state the event carries, so the steps before the end queue nothing (package_build
    checks the state again under its lock)."""
    if state in ENDED_STATES:
        build_package.delay(case_id)
