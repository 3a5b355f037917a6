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


@shared_task(name="supervision.partitioned_sweep")
def partitioned_sweep(parts: int = 2, full: bool = False) -> list[list[int | None]]:
    """Bring the clock rows up to date once, then hand each of ``parts`` disjoint case-id ranges
    to a worker (``sweep_partition``); returns the ranges handed out. For a city whose districts
    share one database: the partitions run on several workers at once."""
    from .partitions import plan
    from .services import sweep_prepare

    changes = sweep_prepare(full=full)
    since = None if changes.full else changes.since.isoformat()
    ranges = [part.as_args() for part in plan(parts)]
    for start, stop in ranges:
        sweep_partition.delay(start, stop, since)
    return ranges


# A worker that dies mid-partition leaves its task unacknowledged: the broker hands it to another
# worker, which judges the partition again (every step is idempotent: nothing is lost or repeated).
@shared_task(name="supervision.sweep_partition", acks_late=True, reject_on_worker_lost=True)
def sweep_partition(start: int | None, stop: int | None, changed_since: str | None = None) -> dict:
    """Judge the cases with ids in ``[start, stop)`` (``None``: open end) changed since
    ``changed_since`` (ISO time; all without it)."""
    import datetime as dt

    from .partitions import CaseRange
    from .services import sweep_partition as run

    since = dt.datetime.fromisoformat(changed_since) if changed_since else None
    return _summary(run(part=CaseRange(start, stop), changed_since=since))


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


@shared_task(name="supervision.item_records")
def item_records() -> int:
    """Daily: each item's public record of the last 12 months, for its guide (item_records)."""
    from django.utils import timezone

    from .item_records import item_records_refresh

    return item_records_refresh(today=timezone.localdate())


@shared_task(name="supervision.performance_snapshot")
def performance_snapshot() -> int:
    """Daily: freeze last month's performance figures once (a month already taken is left as it was)."""
    from .performance import snapshot_previous_month

    return snapshot_previous_month()


@shared_task(name="supervision.themes_deliver")
def themes_deliver() -> int:
    """Daily: each scheduled theme (专题监察) not yet delivered this week or month runs once and
    tells the efficiency office and the departments concerned; returns the themes delivered."""
    from .theme_services import themes_deliver_due

    return len(themes_deliver_due())


# Back-off between tries: 1, 2, 4, 8, 10 minutes (below the broker's visibility timeout, so a
# waiting retry is never handed to a second worker). After the last try the notice stays unsent
# and the next sweep sends it again.
NOTIFY_RETRIES, NOTIFY_BACKOFF_MAX = 5, 600


@shared_task(name="supervision.send_notifications", bind=True, max_retries=NOTIFY_RETRIES)
def send_notifications(self, ids: list[int] | None = None) -> int:
    """Send unsent alert notices (``ids``, or all) through the channels; retry those a channel
    refused. Scheduled on commit by ``alerts_notify``."""
    from .models import Notification
    from .services import notifications_send

    sent = notifications_send(ids=ids)
    unsent = list(Notification.objects.filter(sent=False, **({"pk__in": ids} if ids is not None else {}))
                  .values_list("pk", flat=True)[:5000])
    if unsent and not self.request.is_eager:  # eager (default profile): the next sweep tries again
        countdown = min(60 * 2 ** self.request.retries, NOTIFY_BACKOFF_MAX)
        try:
            raise self.retry(kwargs={"ids": unsent}, countdown=countdown)
        except self.MaxRetriesExceededError:
            pass
    return sent
