"""Celery tasks: thin wrappers around the services (scheduled by beat, see docs/supervision.md)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="supervision.sweep")
def sweep() -> dict:
    """Judge every open case, task, special procedure and order; notify."""
    from .services import sweep as run

    return _summary(run())


@shared_task(name="supervision.full_sweep")
def full_sweep() -> dict:
    """Daily: rebuild the clock rows, re-verify every hash chain and judge every rule on every
    case (the periodic sweep re-judges stored-fact rules only on changed cases)."""
    from .services import sweep as run

    return _summary(run(full=True, all_logs=True))


def _summary(result) -> dict:
    return {"raised": result.raised, "escalated": result.escalated, "resolved": result.resolved,
            "skipped_rules": [str(s) for s in result.skipped]}


@shared_task(name="supervision.exchange_daily", autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def exchange_daily() -> list[str]:
    """Daily: deliver pending batches, then today's batch of every change since the last one.
    A failed delivery (``DeliveryFailed`` is an ``OSError``: a full disk, the city's endpoint down)
    is retried with back-off; the batches stay pending, in order, for the next day otherwise."""
    from .exchange import exchange_daily as run

    return run()


@shared_task(name="supervision.performance_snapshot")
def performance_snapshot() -> int:
    """Daily: freeze last month's performance figures once (a month already taken is left as it was)."""
    from .performance import snapshot_previous_month

    return snapshot_previous_month()
