"""Celery tasks: thin wrappers that call services (scheduled by beat, see docs/runtime.md)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction


@shared_task(name="runtime.deem_accepted")
def deem_accepted() -> list[str]:
    """Hourly (core.schedule): accept every case whose 5-working-day window ended without a decision."""
    from .services import cases_deem_accepted

    return cases_deem_accepted()


@shared_task(name="runtime.close_notices")
def close_notices() -> list[str]:
    """Hourly (core.schedule): end every public notice whose period is over; cases move on."""
    from .services import notices_close

    return notices_close()


@shared_task(name="runtime.recompute_clocks")
def recompute_clocks() -> int:
    from .services import clocks_recompute

    return clocks_recompute()


def calendar_changed_after_commit(sender, **kwargs) -> None:
    transaction.on_commit(recompute_clocks.delay)


@shared_task(name="runtime.certificate_expiry")
def certificate_expiry() -> dict:
    """Daily (core.schedule): certificates past their validity expire; holders of those about to
    expire are told (runtime.certificates.expiry_duty)."""
    from django.utils import timezone

    from .certificates import expiry_duty

    return expiry_duty(today=timezone.localdate())
