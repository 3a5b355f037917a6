"""Celery tasks of the archive: thin wrappers around archives.services."""

from __future__ import annotations

from celery import shared_task

# The events after which a case may have ended: delivered, withdrawn, or a task's action (refusal
# at intake, a delivery step completed); package_build checks the state itself.
ENDING_EVENTS = frozenset({"delivered", "withdrawn"})


@shared_task(name="archives.build_package")
def build_package(case_id: int) -> str | None:
    from .services import package_build

    record = package_build(case_id=case_id)
    return record.case.number if record else None


def case_changed(sender, *, case_id: int, kind: str, **kwargs) -> None:
    """Receiver of runtime's ``case_changed`` (sent after commit): archive a case that has ended."""
    if kind in ENDING_EVENTS or kind.startswith("task_"):
        build_package.delay(case_id)
