"""Impact preview (影响预览): a drafted change of the district defaults or of an item's limits shows
what it would do — the very alerts the sweep then raises once it is published — and writes nothing.

November 2026 has no holiday: working days are Monday to Friday. The item: promised 5, statutory
8 working days. Today (the sweep, the preview) is Friday 2026-11-20.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.apps import apps
from django.utils import timezone

from designer import services as designer_services
from designer.selectors import district_supervision_defaults
from runtime.models import Case
from supervision import preview
from supervision.models import Alert, Level

from ..runtime import factories
from .conftest import accepted_case as _case
from .conftest import at

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)




@pytest.fixture
def cases(demo, limits_item, frozen):
    """Promised due dates (5 working days after acceptance) and the working days left on the 20th:
    A due 11-27 (5 left: nothing), W due 11-24 (2 left: warning), B due 11-19 (1 over: warning —
    "more than 1 over" is not yet a yellow card), Y due 11-17 (3 over: yellow)."""
    return {name: _case(demo, limits_item, frozen, name, day) for name, day in (
        ("A", "2026-11-20"), ("W", "2026-11-17"), ("B", "2026-11-12"), ("Y", "2026-11-10"))}


def _snapshot() -> dict:
    """Every table's row count, and every row of supervision's own tables and the cases."""
    out = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    for label in ("supervision.Alert", "supervision.ClockRow", "supervision.IndexState", "supervision.Notification",
                  "supervision.WorkdayOrdinal", "runtime.Case", "designer.SupervisionDefaults"):
        model = apps.get_model(label)
        out[label + ":rows"] = sorted(map(repr, model._default_manager.order_by("pk").values_list()))
    return out


def _case_clock_alerts() -> dict[str, int]:
    return {a.case.form_data["company"]: a.level
            for a in Alert.objects.filter(kind="case_clock", resolved_at__isnull=True).select_related("case")}


def tighter(rules: dict) -> dict:
    """A yellow card from the first working day over the promised limit (not the second), and a
    warning 4 working days before it (not 2)."""
    rules = copy.deepcopy(rules)
    rules["yellow_card"] = {"limit": "promised", "overdue_days_over": 0}
    rules["warning"] = {"limit": "promised", "remaining_days": 4, "remaining_percent": 0}
    return rules


def test_preview_of_tighter_defaults_lists_exactly_what_the_sweep_then_raises(demo, cases, frozen, sweep):
    frozen.move_to(at("2026-11-20", 17))
    sweep()
    assert _case_clock_alerts() == {"W": Level.WARNING, "B": Level.WARNING, "Y": Level.YELLOW}
    # a case completed in October one working day over its promised limit, never swept while open
    Case.objects.filter(pk=cases["A"].pk).update(state="completed", updated_at=timezone.now(), accepted_on="2026-10-05",
                                                 promised_due_on="2026-10-12", statutory_due_on="2026-10-15",
                                                 completed_on="2026-10-13")
    sweep()  # the completed case's clock row drops
    before = _snapshot()

    change = preview.change_of_defaults(tighter(district_supervision_defaults()))
    result = preview.impact_preview(actor=demo.supervisor, change=change, today=TODAY,
                                    period=(dt.date(2026, 9, 1), dt.date(2026, 10, 31)))

    assert _snapshot() == before  # nothing written, not even the clock rows' sync
    number = {c.pk: c.form_data["company"] for c in Case.objects.all()}
    previewed = {(c.kind, number[c.case_id], c.action, c.level) for c in result.changes}
    assert previewed == {("case_clock", "B", "escalated", Level.YELLOW)}
    assert result.changed_count == 1
    assert result.proposed.total[("escalated", Level.YELLOW)] == 1
    assert result.current.total[("escalated", Level.YELLOW)] == 0
    assert result.proposed.total[("open", Level.YELLOW)] == 2 and result.current.total[("open", Level.YELLOW)] == 1
    clerk_unit = Case.objects.get(pk=cases["B"].pk).department_id
    assert result.proposed.by_department[clerk_unit][("escalated", Level.YELLOW)] == 1
    # the past: October's case, 1 day over, had a warning's worth by the rules in force, a yellow card
    # by the drafted ones, and was given nothing
    october = next(m for m in result.months if m.month == dt.date(2026, 10, 1))
    assert (october.actual[0], october.current[Level.WARNING], october.proposed[Level.YELLOW]) == (1, 1, 1)
    assert [m.month for m in result.months] == [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]

    # published, the next sweep does exactly that
    designer_services.supervision_defaults_update(actor=demo.legal, rules=tighter(district_supervision_defaults()))
    frozen.move_to(at("2026-11-20", 18))
    before_alerts = _case_clock_alerts()
    sweep()
    after = _case_clock_alerts()
    swept = {("case_clock", name, "escalated" if name in before_alerts else "raised", level)
             for name, level in after.items() if before_alerts.get(name) != level}
    assert swept == previewed


def test_tighter_warning_raises_new_alerts_in_the_preview(demo, cases, frozen, sweep):
    frozen.move_to(at("2026-11-20", 17))
    sweep()
    rules = tighter(district_supervision_defaults())
    rules["warning"]["remaining_days"] = 5  # A (5 left) would now be warned
    result = preview.impact_preview(actor=demo.supervisor, change=preview.change_of_defaults(rules), today=TODAY)
    number = {c.pk: c.form_data["company"] for c in Case.objects.all()}
    assert {(number[c.case_id], c.action, c.level) for c in result.changes} == {
        ("A", "raised", Level.WARNING), ("B", "escalated", Level.YELLOW)}
    designer_services.supervision_defaults_update(actor=demo.legal, rules=rules)
    frozen.move_to(at("2026-11-20", 18))
    sweep()
    assert _case_clock_alerts() == {"A": Level.WARNING, "W": Level.WARNING, "B": Level.YELLOW, "Y": Level.YELLOW}


def test_limit_change_preview(demo, limits_item, cases, frozen, sweep):
    """The item's promised limit shortened from 5 to 2 working days: every deadline 3 working days
    earlier. W (2 left → 1 over: still a warning), A (5 left → 2 left: a warning), B (1 over → 4
    over: yellow); Y stays yellow. The statutory limit is unchanged, so no red card."""
    frozen.move_to(at("2026-11-20", 17))
    sweep()
    doc = copy.deepcopy(limits_item.definition)
    doc["promised_limit_days"] = 2
    designer_services.item_update(actor=None, item=limits_item, definition=doc)
    limits_item.refresh_from_db()
    # half an hour later W changed: the preview brings its clock rows up to date as the sweep would,
    # and then rolls that back too
    frozen.move_to(at("2026-11-20", 17) + dt.timedelta(minutes=30))
    Case.objects.filter(pk=cases["W"].pk).update(updated_at=timezone.now())
    before = _snapshot()
    change = preview.change_of_item(limits_item)
    assert "承诺时限 5 → 2 个工作日" in change.title
    result = preview.impact_preview(actor=demo.legal, change=change, today=TODAY)
    assert _snapshot() == before
    number = {c.pk: c.form_data["company"] for c in Case.objects.all()}
    assert {(number[c.case_id], c.action, c.level) for c in result.changes} == {
        ("A", "raised", Level.WARNING), ("B", "escalated", Level.YELLOW)}
    assert result.proposed.total[("open", Level.RED)] == 0


def test_preview_refuses_the_public_and_invalid_rules(demo):
    from core.errors import AccessDenied, InvalidInput

    rules = tighter(district_supervision_defaults())
    with pytest.raises(AccessDenied):
        preview.impact_preview(actor=demo.handler, change=preview.change_of_defaults(rules))
    rules["yellow_card"]["overdue_days_over"] = 5  # after the red card on the same limit? (red is statutory)
    rules["red_card"] = {"limit": "promised", "overdue_days_over": 2}
    with pytest.raises(InvalidInput) as refused:
        preview.change_of_defaults(rules)
    assert "$.yellow_card.overdue_days_over" in refused.value.details


# --- the pages ----------------------------------------------------------------------------------

def _draft_post(**changes) -> dict:
    data = {"warning_limit": "promised", "warning_days": 2, "warning_percent": 0, "yellow_limit": "promised",
            "yellow_over": 1, "red_limit": "statutory", "red_over": 1, "start": "2026-09", "end": "2026-10",
            "action": "preview"}
    return {**data, **changes}


def test_defaults_page_previews_then_the_legal_office_publishes(demo, cases, frozen, sweep, client):
    frozen.move_to(at("2026-11-20", 17))
    sweep()
    client.force_login(demo.supervisor)
    assert client.get("/supervision/preview/defaults/").status_code == 200
    page = client.post("/supervision/preview/defaults/", _draft_post(yellow_over=0)).content.decode()
    assert "影响预览" in page and "受影响的办件：1 件" in page and "升级为黄牌" in page
    assert Case.objects.get(pk=cases["B"].pk).number in page
    assert "确认发布新规则" not in page  # the efficiency office previews; the legal office publishes
    # refused input: the field's message with its path, nothing saved
    page = client.post("/supervision/preview/defaults/", _draft_post(yellow_over=1, red_limit="promised",
                                                                    red_over=1)).content.decode()
    assert "黄牌须早于红牌" in page and "$.yellow_card.overdue_days_over" in page
    assert district_supervision_defaults()["yellow_card"]["overdue_days_over"] == 1

    client.force_login(demo.legal)
    page = client.post("/supervision/preview/defaults/", _draft_post(yellow_over=0)).content.decode()
    assert "确认发布新规则" in page
    response = client.post("/supervision/preview/defaults/", _draft_post(yellow_over=0, action="publish"))
    assert response.status_code == 302
    assert district_supervision_defaults()["yellow_card"]["overdue_days_over"] == 0


def test_preview_pages_are_for_the_efficiency_and_legal_offices(demo, limits_item, client):
    for user in (demo.handler, demo.zhangsan):
        client.force_login(user)
        assert client.get("/supervision/preview/defaults/").status_code == 403
        assert client.get(f"/supervision/preview/items/{limits_item.code}/").status_code == 403
    client.logout()
    assert client.get("/supervision/preview/defaults/").status_code == 302  # to the login page


def test_item_page_previews_the_working_copy(demo, limits_item, cases, frozen, sweep, client):
    frozen.move_to(at("2026-11-20", 17))
    sweep()
    client.force_login(demo.legal)
    page = client.get(f"/supervision/preview/items/{limits_item.code}/").content.decode()
    assert "没有可预览的修改" in page
    doc = copy.deepcopy(limits_item.definition)
    doc["promised_limit_days"] = 2
    designer_services.item_update(actor=None, item=limits_item, definition=doc)
    page = client.get(f"/supervision/preview/items/{limits_item.code}/?start=2026-09&end=2026-10").content.decode()
    assert "承诺时限 5 → 2 个工作日" in page and "受影响的办件：2 件" in page and "新增预警" in page
    assert "<svg" in page  # the months' chart
    assert "审核通过并发布" not in page  # a draft: nothing to publish yet
    # in review, the legal office's review page links the preview, which offers the publication
    designer_services.item_submit_for_review(actor=None, item=limits_item, note="缩短承诺时限")
    assert "impact-preview-link" in client.get(f"/designer/items/{limits_item.code}/").content.decode()
    assert "审核通过并发布" in client.get(f"/supervision/preview/items/{limits_item.code}/").content.decode()


def test_item_anomaly_condition_change_preview(demo, frozen, sweep):
    """The item's working copy adds an anomaly condition that holds on the acceptance of two open
    cases (W and B, accepted "after correction") and changes one that held on every acceptance so
    that it holds on none: the preview lists the two raised and the four resolved — exactly what the
    sweep does once the change is published (and the open cases follow the new version) — and writes
    nothing."""
    from runtime.models import Task

    doc = factories.definition(promised=5, statutory=8)
    doc["supervision"] = {"anomalies": [{"key": "every_acceptance", "name": "每次受理",
                                         "condition": {"==": [{"var": "step.type"}, "accept"]}}]}
    item = factories.publish(doc)
    cases = {name: _case(demo, item, frozen, name, day) for name, day in (
        ("A", "2026-11-20"), ("W", "2026-11-17"), ("B", "2026-11-12"), ("Y", "2026-11-10"))}
    Task.objects.filter(case__in=[cases["W"], cases["B"]], step_type="accept").update(opinion="补正后受理")
    frozen.move_to(at("2026-11-20", 17))
    sweep(full=True)

    def open_anomalies() -> set:
        return {(a.kind, a.case.form_data["company"])
                for a in Alert.objects.filter(kind__startswith="item:", resolved_at__isnull=True).select_related("case")}

    assert open_anomalies() == {("item:every_acceptance", n) for n in "AWBY"}
    draft = copy.deepcopy(item.definition)
    draft["supervision"] = {"anomalies": [
        {"key": "every_acceptance", "name": "每次受理", "condition": {"==": [{"var": "step.type"}, "never"]}},
        {"key": "after_correction", "name": "补正后受理",
         "condition": {"==": [{"var": "step.opinion"}, "补正后受理"]}}]}
    designer_services.item_update(actor=None, item=item, definition=draft)
    item.refresh_from_db()
    before = _snapshot()
    result = preview.impact_preview(actor=demo.legal, change=preview.change_of_item(item), today=TODAY)
    assert _snapshot() == before
    number = {c.pk: c.form_data["company"] for c in Case.objects.all()}
    previewed = {(c.kind, number[c.case_id], c.action) for c in result.changes}
    assert previewed == {("item:after_correction", "W", "raised"), ("item:after_correction", "B", "raised"),
                         *{("item:every_acceptance", n, "resolved") for n in "AWBY"}}
    assert result.proposed.total[("raised", Level.ANOMALY)] == 2
    assert result.proposed.total[("resolved", Level.ANOMALY)] == 4
    assert result.current.total[("raised", Level.ANOMALY)] == 0
    # by department: the one the sweep gives the alerts of these steps
    department = Alert.objects.get(kind="item:every_acceptance", case=cases["W"]).department_id
    assert result.proposed.by_department[department][("raised", Level.ANOMALY)] == 2

    designer_services.item_submit_for_review(actor=None, item=item, note="修改异常条件")
    version = designer_services.item_publish(actor=demo.legal, item=item, opinion="同意")
    Case.objects.filter(pk__in=[c.pk for c in cases.values()]).update(version=version)
    before_alerts = open_anomalies()
    frozen.move_to(at("2026-11-20", 18))
    sweep(full=True)
    after = open_anomalies()
    swept = {(k, n, "raised") for k, n in after - before_alerts} | {(k, n, "resolved") for k, n in before_alerts - after}
    assert swept == previewed
