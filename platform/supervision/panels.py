"""Supervision on the runtime's pages, through the runtime's extension points
(``runtime.extensions``): the case page's panel of open orders, complaints and alerts, the staff
lists' marks of urgency, and links to consultation and rating on the service hall and the item guide."""

from __future__ import annotations

from django.urls import reverse

from accounts.access import is_staff_member

from . import selectors
from .access import is_supervisor, units_answered_for
from .models import Alert, Complaint, ItemRecord, Level, SupervisionOrder

PANEL_TEMPLATE = "supervision/_case_panel.html"


def case_panel(case, user) -> tuple[str, dict] | None:
    """What the user may see of the case's supervision: a supervisor everything; other staff what
    is addressed to a unit they answer for (as their inbox: ``access.units_answered_for``), and only
    complaints the office has assigned; nobody else anything."""
    if not is_staff_member(user):
        return None
    covered = None if is_supervisor(user) else units_answered_for(user)
    if covered is not None and not covered:
        return None

    def visible(records):
        return records if covered is None else records.filter(department_id__in=covered)

    orders = visible(SupervisionOrder.objects.filter(case=case, state=SupervisionOrder.State.OPEN)
                     .select_related("department"))
    complaints = visible(Complaint.objects.filter(case=case, finding="").exclude(kind=Complaint.Kind.CONSULTATION)
                         .select_related("department").order_by("filed_at"))
    if covered is not None:
        complaints = complaints.exclude(state=Complaint.State.FILED)
    alerts = visible(Alert.objects.filter(case=case, resolved_at__isnull=True).select_related("department")
                     .order_by("-level", "raised_at"))
    orders, complaints, alerts = list(orders), list(complaints), list(alerts)
    if not (orders or complaints or alerts):
        return None
    return PANEL_TEMPLATE, {"sv_orders": orders, "sv_complaints": complaints, "sv_alerts": alerts,
                            "sv_drill_down": covered is None and is_supervisor(user)}


def item_record_panel(item) -> tuple[str, dict] | None:
    """The item's public record of the last 12 months (stored by the daily duty)."""
    record = ItemRecord.objects.filter(item=item).first()
    return ("supervision/_item_record.html", {"record": record}) if record is not None else None


def hall_links(user) -> list[tuple[str, str]]:
    links = [("咨询与投诉", reverse("supervision:complaint_new"))]
    to_rate = selectors.cases_to_rate(user).count() if user.is_authenticated else 0
    if to_rate:
        links.insert(0, (f"评价我的已办结办件（{to_rate}件待评价）", reverse("supervision:complaints_mine")))
    return links


def item_guide_links(user, item) -> list[tuple[str, str]]:
    links = [("咨询本事项", reverse("supervision:consultation_new", args=[item.code]))]
    if user.is_authenticated and selectors.cases_to_rate(user).filter(item=item).exists():
        links.append(("评价我办结的本事项办件", reverse("supervision:complaints_mine")))
    return links


CLOCK_LEVELS = (Level.WARNING, Level.YELLOW, Level.RED)


def case_marks(case_ids: list[int]) -> dict:
    """The staff lists' colour of each case: the highest open clock alert (预警 / 黄牌 / 红牌) the
    sweep has raised on the case or one of its steps, in one query."""
    from django.db.models import Max

    from runtime.extensions import Mark

    rows = (Alert.objects.filter(case_id__in=case_ids, resolved_at__isnull=True, level__in=CLOCK_LEVELS)
            .values_list("case_id").annotate(top=Max("level")).order_by())
    return {case_id: Mark(Level(top).label, Level(top).key, Level(top).colour) for case_id, top in rows}


def register_panels() -> None:
    from runtime.extensions import CasePanel, GuidePanel, PageLink, case_panels, guide_panels, page_links
    from runtime.extensions import case_marks as marks

    if "supervision" not in case_panels:
        case_panels.register("supervision", CasePanel(order=50, build=case_panel))
        marks.register("supervision", case_marks)
        page_links.register("supervision.hall", PageLink(where="hall", build=hall_links))
        page_links.register("supervision.item_guide", PageLink(where="item_guide", build=item_guide_links))
        guide_panels.register("supervision.item_record", GuidePanel(order=10, build=item_record_panel))
