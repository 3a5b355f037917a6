"""审批结果公示: the decisions made on public items, open to anyone, the holder named as government
sites name them — a legal person in full, a natural person masked (张*, 3301**********1231) with
the one masking of the certificate verification page. A confidential item's case never appears
(``publicly_named``), and a natural person is never found by name: the search reads the item,
the certificate number and legal persons' names only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import Applicant

from .case_search import is_short, names_containing, of_items_named
from .certificates import mask_id, mask_name
from .definitions import publicly_named
from .models import PUBLIC_RESULT_DECISIONS, PUBLIC_RESULT_STATES, Case, Certificate, Decision

DECISION_WORDS = {Decision.APPROVED: "准予", Decision.REJECTED: "不予"}


@dataclass(frozen=True)
class PublicResult:
    item_code: str
    item_name: str
    department: str
    decision: str  # 准予 / 不予
    decided_on: dt.date | None
    certificate_number: str
    holder: str
    holder_id: str


def decided_cases(text: str = "") -> QuerySet[Case]:
    """Cases of public items with a decision (准予 or 不予许可), the latest decision first."""
    cases = (Case.objects.filter(publicly_named("version", "item"), decision__in=PUBLIC_RESULT_DECISIONS,
                                 state__in=PUBLIC_RESULT_STATES)
             .select_related("applicant", "department", "certificate").order_by("-completed_on", "-pk"))
    text = (text or "").strip()
    return cases.filter(_text_matches(text)) if text else cases


# Beyond this many certificates or legal persons matching the text, they are matched through the join.
MATCHES_LISTED = 1000


def _text_matches(text: str) -> Q:
    """``text`` in the item's (stage's) name or code, a certificate's number or a legal person's
    name. As the staff search does (``case_search.text_matches``), the certificates and legal
    persons are looked up first (their trigram indexes on PostgreSQL), so every part is a condition
    on the case table that its indexes answer, instead of every decided case read through joins
    (4.6 s at a million cases). A text too short for the trigram indexes (``case_search.is_short``)
    is matched against the items' names and the legal persons' names only."""
    legal = list(Applicant.objects.filter(kind=Applicant.Kind.LEGAL, **names_containing(text)).order_by()
                 .values_list("pk", flat=True)[:MATCHES_LISTED + 1])
    by_holder = (Q(applicant_id__in=legal) if len(legal) <= MATCHES_LISTED
                 else Q(applicant__kind=Applicant.Kind.LEGAL, applicant__name__icontains=text))
    if is_short(text):
        return of_items_named(text) | by_holder
    certified = list(Certificate.objects.filter(number__icontains=text).order_by()
                     .values_list("case_id", flat=True)[:MATCHES_LISTED + 1])
    by_certificate = (Q(pk__in=certified) if len(certified) <= MATCHES_LISTED
                      else Q(certificate__number__icontains=text))
    return Q(unit_name__icontains=text) | Q(unit_code__icontains=text) | by_certificate | by_holder


def public_result(case: Case) -> PublicResult:
    person = case.applicant
    natural = person.kind == Applicant.Kind.NATURAL
    certificate = getattr(case, "certificate", None)
    return PublicResult(
        item_code=case.unit_code, item_name=case.unit_name, department=case.department.name,
        decision=DECISION_WORDS[Decision(case.decision)], decided_on=case.completed_on,
        certificate_number=certificate.number if certificate else "",
        holder=mask_name(person.name) if natural else person.name,
        holder_id=mask_id(person.id_number) if natural else person.credit_code)
