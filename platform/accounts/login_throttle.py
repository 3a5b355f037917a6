"""Login throttling (django-axes) on two counts: one username from one address, and one address
whatever the usernames (someone trying many accounts with a few passwords each).

Axes compares one number with ``AXES_FAILURE_LIMIT``; this handler reports the larger of the
pair's failures and the address's failures scaled to that limit, so the pair locks after
``AXES_FAILURE_LIMIT`` failures and the address after ``AXES_ADDRESS_FAILURE_LIMIT``. A successful
login clears its own pair only: logging in to one's own account must not wipe the address's count.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class PairAndAddressHandler(AxesDatabaseHandler):
    """``AXES_LOCKOUT_PARAMETERS`` must be ``[["username", "ip_address"], "ip_address"]``."""

    def get_failures(self, request, credentials=None) -> int:
        pair, address = self.get_user_attempts(request, credentials)
        scaled = _failures(address) * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(_failures(pair), scaled)

    def reset_user_attempts(self, request, credentials=None) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count
