"""Celery tasks: thin wrappers around the services (scheduled by beat, see docs/supervision.md)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="supervision.sweep")
def sweep() -> dict:
    """Judge every open case, task, special procedure and order; notify."""
    from .services import sweep as run

    result = run()
    return {"raised": result.raised, "escalated": result.escalated, "resolved": result.resolved}


@shared_task(name="supervision.verify_all_logs")
def verify_all_logs() -> int:
    """Daily: re-verify every case's hash chain (the sweep re-verifies only logs that grew)."""
    from .services import logs_verify

    return logs_verify(all_logs=True)
