"""Notification channels (registry): how an alert notice leaves the platform.

``settings.SUPERVISION_CHANNELS`` names the channels in use (default ``["console"]``). Each is
one class registered here:

* ``console`` writes one line to the ``supervision.notify`` logger;
* ``email`` sends a mail through Django's email backend (``EMAIL_URL``) to the recipient's
  address;
* ``sms`` posts the message to an HTTP SMS gateway (``SMS_GATEWAY_URL``, ``SMS_GATEWAY_KEY``,
  ``SMS_TEMPLATE``) for the recipient's mobile number.

A recipient without an address or number for a channel is skipped by that channel (nothing to
deliver, logged). A channel that raises leaves the notice unsent for that channel only; the
others still deliver, and the failed one is tried again at the next sweep (docs/supervision.md).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from abc import ABC, abstractmethod

from django.conf import settings

from core.registry import Registry

log = logging.getLogger("supervision.notify")


def notice_text(notice) -> str:
    """The message, short enough for one SMS: level, what, which case, where to look."""
    alert = notice.alert
    about = f"办件{alert.case.number}" if alert.case_id else f"{alert.get_subject_type_display()}{alert.subject_id}"
    return f"【电子监察·{alert.get_level_display()}】{about}：{alert.detail or alert.kind}。请登录平台监察通知查看处理。"


class Channel(ABC):
    key = ""
    label = ""

    @abstractmethod
    def send(self, notice) -> None:
        """Deliver one notice; raise to leave it unsent on this channel (retried at the next sweep)."""


class ConsoleChannel(Channel):
    key = "console"
    label = "控制台"

    def send(self, notice) -> None:
        alert = notice.alert
        about = alert.case.number if alert.case_id else f"{alert.subject_type}:{alert.subject_id}"
        log.info("【%s】%s %s → %s", alert.get_level_display(), alert.detail or alert.kind, about,
                 notice.recipient.username)


class EmailChannel(Channel):
    key = "email"
    label = "电子邮件"

    def send(self, notice) -> None:
        from django.core.mail import send_mail

        address = (notice.recipient.email or "").strip()
        if not address:
            log.info("通知 %s：%s 没有电子邮箱，邮件渠道跳过", notice.pk, notice.recipient.username)
            return
        alert = notice.alert
        subject = f"【电子监察·{alert.get_level_display()}】{alert.case.number if alert.case_id else alert.kind}"
        send_mail(subject, notice_text(notice), settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


class SmsChannel(Channel):
    """A generic HTTP SMS gateway: one JSON POST per message, ``Authorization: Bearer <key>``;
    any answer other than 2xx (or no answer within the timeout) is a failure."""

    key = "sms"
    label = "短信"

    def send(self, notice) -> None:
        mobile = (notice.recipient.phone or "").strip()
        if not mobile:
            log.info("通知 %s：%s 没有手机号码，短信渠道跳过", notice.pk, notice.recipient.username)
            return
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise RuntimeError("短信渠道已启用，但未配置 SMS_GATEWAY_URL")
        body = {"mobile": mobile, "template": settings.SMS_TEMPLATE, "content": notice_text(notice),
                "params": {"level": notice.alert.get_level_display(), "detail": notice.alert.detail,
                           "case": notice.alert.case.number if notice.alert.case_id else ""}}
        request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                         method="POST", headers={"Content-Type": "application/json; charset=utf-8"})
        if settings.SMS_GATEWAY_KEY:
            request.add_header("Authorization", f"Bearer {settings.SMS_GATEWAY_KEY}")
        # urlopen raises HTTPError for any status >= 400 and URLError when the gateway is unreachable
        with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:
            if not 200 <= response.status < 300:
                raise RuntimeError(f"短信网关返回 {response.status}")


channels: Registry[Channel] = Registry("通知渠道")


def register_channels() -> None:
    for channel in (ConsoleChannel(), EmailChannel(), SmsChannel()):
        if channel.key not in channels:
            channels.register(channel.key, channel)


def configured() -> list[str]:
    return list(getattr(settings, "SUPERVISION_CHANNELS", None) or ["console"])
