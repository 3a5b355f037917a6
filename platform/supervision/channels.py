"""Notification channels (registry): how an alert notice leaves the platform.

``console`` (the default) writes one line to the ``supervision.notify`` logger; SMS or email
adapters are one class each, registered here and named in ``settings.SUPERVISION_CHANNELS``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod

from core.registry import Registry

log = logging.getLogger("supervision.notify")


class Channel(ABC):
    key = ""
    label = ""

    @abstractmethod
    def send(self, notice) -> None:
        """Deliver one notice; raise to leave it unsent (retried at the next sweep)."""


class ConsoleChannel(Channel):
    key = "console"
    label = "控制台"

    def send(self, notice) -> None:
        alert = notice.alert
        about = alert.case.number if alert.case_id else f"{alert.subject_type}:{alert.subject_id}"
        log.info("【%s】%s %s → %s", alert.get_level_display(), alert.detail or alert.kind, about,
                 notice.recipient.username)


channels: Registry[Channel] = Registry("通知渠道")


def register_channels() -> None:
    if "console" not in channels:
        channels.register("console", ConsoleChannel())
