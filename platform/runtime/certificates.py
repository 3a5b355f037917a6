"""The shared certificate registry (证照批文共享数据库): issuing on approval, and lookups.

Number scheme: ``<certificate type code, else item code>-<year>-<6-digit sequence>``.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt

from django.db.models import Q, QuerySet

from .engine import definition_of, next_number
from .models import Case, Certificate


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, stdlib_calendar.monthrange(year, month)[1])) - dt.timedelta(days=1)


def issue(case: Case, *, today: dt.date) -> Certificate | None:
    """The certificate an approval issues, if the item names one; None otherwise."""
    info = definition_of(case).certificate
    if not info["name"]:
        return None
    kind = info["type"]
    prefix = f"{kind.code if kind else definition_of(case).document['code']}-{today.year}"
    valid_until = add_months(today, kind.validity_months) if kind and kind.validity_months else None
    return Certificate.objects.create(
        number=f"{prefix}-{next_number('CERT:' + prefix):06d}", certificate_type=kind, name=info["name"],
        holder=case.applicant, item_id=case.item_id, case=case, department_id=case.department_id,
        issued_on=today, valid_until=valid_until)


def search(queryset: QuerySet[Certificate], text: str = "") -> QuerySet[Certificate]:
    text = (text or "").strip()
    if text:
        queryset = queryset.filter(Q(number__icontains=text) | Q(holder__name__icontains=text)
                                   | Q(name__icontains=text))
    return queryset
