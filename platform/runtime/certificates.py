"""The shared certificate registry (证照批文共享数据库) and the certificate lifecycle.

What an approval does to the registry is the unit's ``certificate_action`` (the designer's
``designer.certificate_operations`` says what each operation *is*); what it *does* is one
:class:`CertificateBehaviour` per key in :data:`certificate_behaviours`, called by
:func:`on_approval` from the completion of an approved case (a refusal never calls it):

* ``issue`` 新发 — a new certificate, a new number, particulars from the case;
* ``renew`` 延续 — the chosen certificate's validity moves on by the type's period (same row,
  same number, same verification code);
* ``change`` 变更 — a new version of the chosen certificate (same number, ``version`` + 1, new
  particulars where the case gives them, a new verification code); the old version is kept as
  已变更;
* ``cancel`` 注销 — the chosen certificate is 已注销 with the date and the reason; nothing new;
* ``reissue`` 补领 — a new version with the same particulars, marked 补发; the old one 已变更.

An application that acts on a certificate names it (:func:`target_for`): the applicant's own,
of the item's type, valid, and inside the unit's window before expiry when it declares one.

Number scheme: ``<certificate type code, else item code>-<year>-<6-digit sequence>``.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import hashlib
import hmac
import json
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.dispatch import Signal

from core.errors import Conflict
from core.registry import Registry

from . import form_values, rows
from .definitions import Definition
from .documents import cn_date
from .engine import definition_of, next_number
from .models import Case, Certificate
from .rule_data import decisions_of

# Domain event after commit: ``certificate_expiring.send(sender=Certificate, ids=[…], days=N, today=day)`` —
# the holders of these certificates are to be told that they expire in N days (supervision's
# notification channels listen; the runtime never imports supervision).
certificate_expiring = Signal()


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, stdlib_calendar.monthrange(year, month)[1])) - dt.timedelta(days=1)


# --- The certificate an application acts on -------------------------------------------------

def current_version(number: str) -> Certificate | None:
    return (Certificate.objects.filter(number=number).select_related("certificate_type", "holder")
            .order_by("-version").first())


def choosable(defn: Definition, applicant) -> QuerySet[Certificate]:
    """The certificates an application of this unit may name: the applicant's own valid ones of
    the item's type (the apply page's select)."""
    kind = defn.certificate["type"]
    if applicant is None or kind is None:
        return Certificate.objects.none()
    return Certificate.objects.filter(holder=applicant, certificate_type=kind,
                                      status=Certificate.Status.VALID).order_by("number")


def window_dates(defn: Definition, certificate: Certificate) -> tuple[dt.date, dt.date] | None:
    """The first and last day an application of this unit may be made for ``certificate``."""
    window = defn.application_window
    if not window or certificate.valid_until is None:
        return None
    until = certificate.valid_until
    return (until - dt.timedelta(days=window["opens_days_before_expiry"]),
            until - dt.timedelta(days=window["closes_days_before_expiry"]))


def target_for(defn: Definition, applicant, number: str, *, today: dt.date) -> tuple[Certificate | None, dict]:
    """The certificate an application names, and the problems (``{"certificate": [message]}``)
    when it may not: required for a unit acting on a certificate; the applicant's own (another
    holder's number gets the same answer as an unknown one), of the item's type, valid, and
    inside the unit's window before expiry."""
    operation = defn.operation
    number = (number or "").strip()
    if not operation.acts_on_existing:
        return None, {}
    label = operation.label
    if not number:
        return None, {"certificate": [f"请选择本次{label}所涉的证照"]}
    found = current_version(number)
    if found is None or applicant is None or found.holder_id != applicant.pk:
        return None, {"certificate": [f"您名下没有编号为“{number}”的证照"]}
    kind = defn.certificate["type"]
    if kind is None or found.certificate_type_id != kind.pk:
        what = found.certificate_type.name if found.certificate_type else found.name
        return None, {"certificate": [f"证照“{number}”是{what}，本事项只能{label}{kind.name if kind else '本事项的证照'}"]}
    if found.status != Certificate.Status.VALID:
        return None, {"certificate": [f"证照“{number}”{found.get_status_display()}，不能申请{label}"]}
    dates = window_dates(defn, found)
    if dates and not dates[0] <= today <= dates[1]:
        window = defn.application_window
        return None, {"certificate": [
            f"{label}须在证照到期前{window['opens_days_before_expiry']}日至{window['closes_days_before_expiry']}日之间申请："
            f"证照“{number}”有效期至{cn_date(found.valid_until)}，可在{cn_date(dates[0])}至{cn_date(dates[1])}申请"]}
    return found, {}


# --- What an approval does ------------------------------------------------------------------

@dataclass(frozen=True)
class Approval:
    """An approved case at its completion: what a behaviour acts with."""

    case: Case
    defn: Definition
    today: dt.date
    target: Certificate | None  # locked; the certificate the application named (None for issue)

    def reason(self) -> str:
        return f"依申请{self.defn.unit_name}（办件编号{self.case.number}）"


class CertificateBehaviour(ABC):
    key = ""

    @abstractmethod
    def apply(self, approval: Approval) -> Certificate | None:
        """Write the registry; return the certificate the decision letter names (None: none)."""


def _new_version(approval: Approval, previous: Certificate, *, particulars: list, replacement: bool) -> Certificate:
    previous.status = Certificate.Status.SUPERSEDED
    previous.save(update_fields=["status"])
    return Certificate.objects.create(
        number=previous.number, version=previous.version + 1, certificate_type=previous.certificate_type,
        name=previous.name, holder=previous.holder, item_id=previous.item_id, case=approval.case,
        department_id=approval.case.department_id, issued_on=approval.today, valid_until=previous.valid_until,
        particulars=particulars, replacement=replacement, verification_code=new_verification_code())


class Issue(CertificateBehaviour):
    key = "issue"

    def apply(self, approval: Approval) -> Certificate | None:
        case, info = approval.case, approval.defn.certificate
        if not info["name"]:
            return None
        kind, today = info["type"], approval.today
        prefix = f"{kind.code if kind else approval.defn.document['code']}-{today.year}"
        valid_until = add_months(today, kind.validity_months) if kind and kind.validity_months else None
        certificate = Certificate(
            number=f"{prefix}-{next_number('CERT:' + prefix, reserve=(Certificate,)):06d}", certificate_type=kind,
            name=info["name"],
            holder=case.applicant, item_id=case.item_id, case=case, department_id=case.department_id,
            issued_on=today, valid_until=valid_until, particulars=particulars_of(case, approval.defn),
            verification_code=new_verification_code())
        # the hot path's statement (every approval issues one); with its key drawn by the number's
        # statement, it travels with the action's last statement (rows.writes_together)
        rows.insert([certificate])
        return certificate


class Renew(CertificateBehaviour):
    key = "renew"

    def apply(self, approval: Approval) -> Certificate | None:
        certificate = approval.target
        months = certificate.certificate_type.validity_months if certificate.certificate_type else None
        if months and certificate.valid_until:  # the new period runs on from the day after the old one ends
            certificate.valid_until = add_months(certificate.valid_until + dt.timedelta(days=1), months)
        certificate.renewed_on = approval.today
        certificate.reminded_for = None
        certificate.save(update_fields=["valid_until", "renewed_on", "reminded_for"])
        return certificate


class Change(CertificateBehaviour):
    key = "change"

    def apply(self, approval: Approval) -> Certificate | None:
        previous = approval.target
        return _new_version(approval, previous, replacement=False,
                            particulars=particulars_of(approval.case, approval.defn, previous=previous.particulars))


class Cancel(CertificateBehaviour):
    key = "cancel"

    def apply(self, approval: Approval) -> Certificate | None:
        certificate = approval.target
        certificate.status = Certificate.Status.REVOKED
        certificate.cancelled_on = approval.today
        certificate.cancel_reason = approval.reason()
        certificate.save(update_fields=["status", "cancelled_on", "cancel_reason"])
        return certificate


class Reissue(CertificateBehaviour):
    key = "reissue"

    def apply(self, approval: Approval) -> Certificate | None:
        previous = approval.target
        return _new_version(approval, previous, particulars=previous.particulars, replacement=True)


certificate_behaviours: Registry[CertificateBehaviour] = Registry("证照操作的执行")


def register_certificate_behaviours() -> None:
    for behaviour in (Issue(), Renew(), Change(), Cancel(), Reissue()):
        if behaviour.key not in certificate_behaviours:
            certificate_behaviours.register(behaviour.key, behaviour)


def on_approval(case: Case, *, today: dt.date) -> Certificate | None:
    """The registry's part of an approval (called inside the completing transaction). The named
    certificate is locked and must still be valid: another case may have cancelled it meanwhile."""
    defn = definition_of(case)
    target = None
    if case.acts_on_id is not None:
        target = (Certificate.objects.select_for_update(of=("self",)).select_related("certificate_type", "holder")
                  .get(pk=case.acts_on_id))
        if target.status != Certificate.Status.VALID:
            label = defn.operation.label
            raise Conflict(f"所涉证照“{target.number}”{target.get_status_display()}，不能准予{label}；请作不予许可处理")
    return certificate_behaviours.get(defn.certificate_operation).apply(Approval(case, defn, today, target))


def validity_text(certificate: Certificate | None) -> str:
    """The decision letter's 有效期至: a date, 长期, or what ended the certificate."""
    if certificate is None:
        return ""
    if certificate.status == Certificate.Status.REVOKED:
        return f"已于{cn_date(certificate.cancelled_on)}注销"
    return cn_date(certificate.valid_until) or "长期"


# --- Particulars ----------------------------------------------------------------------------

def particulars_of(case: Case, defn: Definition, *, previous: list | None = None) -> list[dict]:
    """``[{"label", "value", "public"}]`` the certificate prints, in the item's order: each path's
    value in words (a form field of the case, or ``decision.<step>.<field>``); a value the case
    does not give keeps the previous version's (a change names only what changes)."""
    kept = {p["label"]: p["value"] for p in previous or []}
    decisions = None
    out = []
    for particular in defn.certificate["particulars"]:
        path = particular["path"]
        if path.startswith("decision."):
            _, step, name = path.split(".", 2)
            decisions = decisions_of(case, defn) if decisions is None else decisions
            form = (defn.steps.get(step) or {}).get("decision_form") or {"schema": {"properties": {}}}
            value, prop = decisions.get(step, {}).get(name), form["schema"]["properties"].get(name, {})
        else:
            value, prop = case.form_data.get(path), defn.form["schema"]["properties"].get(path, {})
        text = form_values.shown(prop, value) if value not in (None, "", []) else ""
        out.append({"label": particular["label"], "value": text or kept.get(particular["label"], ""),
                    "public": particular.get("public", True)})
    return out


# --- Expiry ---------------------------------------------------------------------------------

def certificates_expire(*, today: dt.date) -> int:
    """Mark every valid certificate whose validity ended before ``today`` 已过期 (idempotent)."""
    return Certificate.objects.filter(status=Certificate.Status.VALID, valid_until__lt=today).update(
        status=Certificate.Status.EXPIRED)


def certificates_remind(*, today: dt.date, days: int) -> list[int]:
    """The valid certificates expiring within ``days`` days whose holders were not yet told for
    this expiry date: marked, and announced (``certificate_expiring``) after commit. A renewal
    clears the mark, so the next expiry is told again."""
    with transaction.atomic():
        due = list(Certificate.objects.select_for_update()
                   .filter(status=Certificate.Status.VALID, valid_until__gte=today,
                           valid_until__lte=today + dt.timedelta(days=days))
                   .exclude(reminded_for=F("valid_until")).values_list("pk", flat=True))
        Certificate.objects.filter(pk__in=due).update(reminded_for=F("valid_until"))
        if due:
            transaction.on_commit(
                lambda: certificate_expiring.send(sender=Certificate, ids=due, days=days, today=today))
    return due


def expiry_duty(*, today: dt.date) -> dict:
    """The daily duty: expire what ended, then tell holders ``CERTIFICATE_EXPIRY_NOTICE_DAYS`` ahead."""
    expired = certificates_expire(today=today)
    reminded = certificates_remind(today=today, days=settings.CERTIFICATE_EXPIRY_NOTICE_DAYS)
    return {"expired": expired, "reminded": len(reminded)}


def expiry_message(certificate: Certificate, *, today: dt.date) -> str:
    left = (certificate.valid_until - today).days
    return (f"【证照到期提醒】您的{certificate.name}（编号{certificate.number}）将于{cn_date(certificate.valid_until)}"
            f"到期（还有{left}日）。如需继续使用，请及时登录网上办事大厅申请延续。")


# --- Verification ---------------------------------------------------------------------------

def new_verification_code() -> str:
    """The public verification page's key: 32 random URL-safe characters (192 bits), not
    derived from the number, so pages cannot be enumerated."""
    return secrets.token_urlsafe(24)


def _canonical(certificate: Certificate) -> bytes:
    holder = certificate.holder
    facts = {"number": certificate.number, "version": certificate.version, "name": certificate.name,
             "holder": holder.name, "holder_id": holder.credit_code or holder.id_number,
             "issued_on": certificate.issued_on.isoformat(),
             "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
             "particulars": [[p["label"], p["value"]] for p in certificate.particulars],
             "replacement": certificate.replacement, "code": certificate.verification_code}
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature_of(certificate: Certificate, *, key_id: str | None = None) -> str:
    """``<key id>.<HMAC-SHA-256 (first 128 bits, hex)>`` over the certificate's printed facts, with
    ``CERTIFICATE_KEYS[key_id]`` (separate from SECRET_KEY; new PDFs take ``CERTIFICATE_KEY_ID``)."""
    key_id = key_id or settings.CERTIFICATE_KEY_ID
    key = settings.CERTIFICATE_KEYS[key_id].encode("utf-8")
    return f"{key_id}.{hmac.new(key, _canonical(certificate), hashlib.sha256).hexdigest()[:32]}"


def signature_valid(certificate: Certificate, signature: str) -> bool:
    """Whether ``signature`` (from a PDF) seals this certificate's current facts with a key the
    platform still holds (an older key id verifies while its key is kept)."""
    key_id, _, _ = (signature or "").partition(".")
    if key_id not in settings.CERTIFICATE_KEYS:
        return False
    return hmac.compare_digest(signature_of(certificate, key_id=key_id), signature)


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_id(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "*" * len(number)


@dataclass(frozen=True)
class PublicView:
    """What the verification page (and the PDF) shows of a certificate: a natural person's name
    and ID number masked (张*, 3301**********1231) wherever they appear, only public particulars."""

    certificate: Certificate
    holder: str
    holder_id: str
    particulars: list[tuple[str, str]]
    current: Certificate | None  # the version in force when this one was changed or reissued

    @property
    def answer(self) -> str:
        return self.certificate.get_status_display()


def public_view(certificate: Certificate) -> PublicView:
    holder = certificate.holder
    natural = holder.kind == holder.Kind.NATURAL
    name = mask_name(holder.name) if natural else holder.name
    number = mask_id(holder.id_number) if natural else holder.credit_code
    hidden = {holder.name: name, holder.id_number: number} if natural else {}
    particulars = [(p["label"], hidden.get(p["value"], p["value"])) for p in certificate.particulars
                   if p.get("public", True)]
    current = None
    if certificate.status == Certificate.Status.SUPERSEDED:
        current = current_version(certificate.number)
    return PublicView(certificate, name, number or "", particulars, current)


def search(queryset: QuerySet[Certificate], text: str = "") -> QuerySet[Certificate]:
    text = (text or "").strip()
    if text:
        queryset = queryset.filter(Q(number__icontains=text) | Q(holder__name__icontains=text)
                                   | Q(name__icontains=text))
    return queryset
