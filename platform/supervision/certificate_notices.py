"""Holders told that a certificate expires soon (the runtime's ``certificate_expiring`` event,
sent after the daily expiry duty's commit) through the notification channels in use."""

from __future__ import annotations

from django.utils import timezone

from runtime.certificates import expiry_message
from runtime.models import Certificate

from .channels import Message, deliver_everywhere


def holder_message(certificate: Certificate, *, today) -> Message:
    holder = certificate.holder
    user = holder.user
    return Message(recipient=user.username if user else holder.name,
                   email=((user.email if user else "") or "").strip(),
                   mobile=(holder.phone or (user.phone if user else "") or "").strip(),
                   subject=f"【证照到期提醒】{certificate.name} {certificate.number}",
                   text=expiry_message(certificate, today=today),
                   params={"certificate": certificate.number, "valid_until": certificate.valid_until.isoformat()})


def tell_holders(sender, *, ids, days, today=None, **kwargs) -> int:
    today = today or timezone.localdate()
    sent = 0
    for certificate in Certificate.objects.filter(pk__in=ids).select_related("holder", "holder__user"):
        sent += bool(deliver_everywhere(holder_message(certificate, today=today)))
    return sent
