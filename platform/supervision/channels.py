"""Notification channels (registry): how an alert notice (or another message) leaves the platform.

``settings.SUPERVISION_CHANNELS`` names the channels in use (default ``["console"]``). Each is
one class registered here:

* ``console`` writes one line to the ``supervision.notify`` logger;
* ``email`` sends a mail through Django's email backend (``EMAIL_URL``) to the recipient's
  address;
* ``sms`` posts the message to an HTTP SMS gateway (``SMS_GATEWAY_URL``, ``SMS_GATEWAY_KEY``,
  ``SMS_TEMPLATE``) for the recipient's mobile number.

Each channel delivers a :class:`Message`; an alert notice becomes one through
:func:`alert_message`, a certificate about to expire through ``supervision.certificate_notices``.

A recipient without an address or number for a channel is skipped by that channel (nothing to
deliver, logged). A channel that raises leaves the notice unsent for that channel only; the
others still deliver, and the failed one is tried again at the next sweep (docs/supervision.md).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.conf import settings

from core.registry import Registry

log = logging.getLogger("supervision.notify")


def notice_text(notice) -> str:
    """The message, short enough for one SMS: level, what, which case, where to look (a summary
    notice: how many alerts of each level)."""
    if notice.is_summary:
        return f"【电子监察·告警汇总】{notice.summary}。请登录平台查看处理。"
    alert = notice.alert
    about = f"办件{alert.case.number}" if alert.case_id else f"{alert.get_subject_type_display()}{alert.subject_id}"
    return f"【电子监察·{alert.get_level_display()}】{about}：{alert.detail or alert.kind}。请登录平台监察通知查看处理。"


@dataclass(frozen=True)
class Message:
    """One message to one person, whatever it is about: an alert notice (:func:`alert_message`)
    or another notice the platform sends (a certificate about to expire)."""

    recipient: str  # who, as the log names them
    email: str
    mobile: str
    subject: str
    text: str
    params: dict = field(default_factory=dict)  # the SMS gateway's template parameters


def alert_message(notice) -> Message:
    if notice.is_summary:
        return Message(
            recipient=notice.recipient.username, email=(notice.recipient.email or "").strip(),
            mobile=(notice.recipient.phone or "").strip(),
            subject=f"【电子监察·告警汇总】{notice.alert_count} 条告警新产生或升级", text=notice_text(notice),
            params={"level": "告警汇总", "detail": notice.summary, "case": ""})
    alert = notice.alert
    return Message(
        recipient=notice.recipient.username, email=(notice.recipient.email or "").strip(),
        mobile=(notice.recipient.phone or "").strip(),
        subject=f"【电子监察·{alert.get_level_display()}】{alert.case.number if alert.case_id else alert.kind}",
        text=notice_text(notice),
        params={"level": alert.get_level_display(), "detail": alert.detail,
                "case": alert.case.number if alert.case_id else ""})


class Channel(ABC):
    key = ""
    label = ""

    def send(self, notice) -> None:
        """Deliver one alert notice; raise to leave it unsent on this channel (retried at the next sweep)."""
        self.deliver(alert_message(notice))

    @abstractmethod
    def deliver(self, message: Message) -> None:
        """Deliver one message; raise when it could not be delivered."""


class ConsoleChannel(Channel):
    key = "console"
    label = "控制台"

    def deliver(self, message: Message) -> None:
        log.info("%s → %s", message.text, message.recipient)


class EmailChannel(Channel):
    key = "email"
    label = "电子邮件"

    def deliver(self, message: Message) -> None:
        from django.core.mail import send_mail

        if not message.email:
            log.info("%s 没有电子邮箱，邮件渠道跳过：%s", message.recipient, message.subject)
            return
        send_mail(message.subject, message.text, settings.DEFAULT_FROM_EMAIL, [message.email], fail_silently=False)


class SmsChannel(Channel):
    """A generic HTTP SMS gateway: one JSON POST per message, ``Authorization: Bearer <key>``;
    any answer other than 2xx (or no answer within the timeout) is a failure."""

    key = "sms"
    label = "短信"

    def deliver(self, message: Message) -> None:
        if not message.mobile:
            log.info("%s 没有手机号码，短信渠道跳过：%s", message.recipient, message.subject)
            return
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise RuntimeError("短信渠道已启用，但未配置 SMS_GATEWAY_URL")
        body = {"mobile": message.mobile, "template": settings.SMS_TEMPLATE, "content": message.text,
                "params": message.params}
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


def deliver_everywhere(message: Message) -> list[str]:
    """Send one message through every configured channel; a failing channel is logged and the
    others still deliver. Returns the keys of the channels that delivered."""
    delivered = []
    for key in configured():
        try:
            channels.get(key).deliver(message)
        except Exception:
            log.exception("通过%s发送“%s”给%s失败", key, message.subject, message.recipient)
        else:
            delivered.append(key)
    return delivered
