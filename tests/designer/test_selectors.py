"""What the runtime and supervision read from a published version."""

from __future__ import annotations

import pytest

from designer import services
from designer.models import ApprovalItem, ItemVersion
from designer.selectors import (
    effective_supervision_rules,
    form_validator_for_version,
    supervision_test_run,
)

pytestmark = pytest.mark.django_db


def test_form_validator_is_built_once_per_version(demo):
    version = ApprovalItem.objects.get(code="JB-SCJG-XK-0001").current_version
    first = form_validator_for_version(version)
    assert form_validator_for_version(ApprovalItem.objects.get(code="JB-SCJG-XK-0001").current_version) is first
    other = ApprovalItem.objects.get(code="JB-SCJG-XK-0002").current_version
    assert form_validator_for_version(other) is not first
    assert "$.credit_code" in first.errors({"credit_code": "91330106MA2H3K7L09"})


def test_item_rules_override_district_defaults_key_by_key(demo):
    document = ApprovalItem.objects.get(code="JB-SCJG-XK-0001").current_version.document
    rules = effective_supervision_rules(document)
    assert rules["warning"] == {"limit": "promised", "remaining_days": 1, "remaining_percent": 20}  # the item's own
    assert rules["yellow_card"] == {"limit": "promised", "overdue_days_over": 1}  # the district's
    assert rules["red_card"] == {"limit": "statutory", "overdue_days_over": 1}
    assert rules["anomalies"] == []


def test_district_defaults_are_the_published_practice():
    from designer.defaults import DEFAULT_SUPERVISION

    assert DEFAULT_SUPERVISION == {
        "warning": {"limit": "promised", "remaining_days": 2, "remaining_percent": 0},  # 2 working days before
        "yellow_card": {"limit": "promised", "overdue_days_over": 1},  # more than 1 day past the promised limit
        "red_card": {"limit": "statutory", "overdue_days_over": 1},  # more than 1 day past the statutory limit
        "anomalies": [],
    }


def test_a_version_frozen_in_the_first_shape_is_read_as_it_meant(demo):
    """Published versions are immutable: the old shape (no limits named) is upgraded when read."""
    version = ApprovalItem.objects.get(code="JB-SCJG-XK-0002").current_version
    old = {"warning": {"remaining_days": 3, "remaining_percent": 10}, "yellow_card": {"overdue_days_up_to": 4},
           "red_card": {"overdue_days_over": 4}}
    ItemVersion.objects.filter(pk=version.pk).update(document={**version.document, "supervision": old})
    version.refresh_from_db()
    assert version.document["supervision"] == old  # the stored document is not touched
    rules = effective_supervision_rules(version.document)
    assert rules["warning"] == {"limit": "promised", "remaining_days": 3, "remaining_percent": 10}
    assert rules["yellow_card"] == {"limit": "promised", "overdue_days_over": 0}  # any overrun, as before
    assert rules["red_card"] == {"limit": "promised", "overdue_days_over": 4}
    levels = [supervision_test_run(rules=rules, limit_days=10, statutory_limit_days=20, used_days=used)["level"]
              for used in (6, 7, 10, 11, 14, 15)]
    assert levels == ["green", "warning", "warning", "yellow", "yellow", "red"]


def test_changed_district_defaults_apply_to_items_without_their_own(demo):
    rules = effective_supervision_rules(ApprovalItem.objects.get(code="JB-SCJG-XK-0002").definition)
    rules["red_card"] = {"limit": "promised", "overdue_days_over": 5}
    rules["yellow_card"] = {"limit": "promised", "overdue_days_over": 2}
    services.supervision_defaults_update(actor=demo.legal, rules=rules)
    document = ApprovalItem.objects.get(code="JB-SCJG-XK-0002").current_version.document
    assert effective_supervision_rules(document)["red_card"] == {"limit": "promised", "overdue_days_over": 5}


@pytest.mark.parametrize(("limit", "statutory", "used", "level"), [
    (10, 20, 7, "green"), (10, 20, 8, "warning"), (10, 20, 10, "warning"),  # 2 working days before, the due day
    (10, 20, 11, "warning"),  # 1 day past the promised limit: not more than 1, no card yet
    (10, 20, 12, "yellow"), (10, 20, 21, "yellow"),  # more than 1 past the promised; 1 past the statutory
    (10, 20, 22, "red"),  # more than 1 day past the statutory limit
    (10, 10, 12, "red"),  # both limits the same: red wins
])
def test_supervision_test_run_levels(demo, limit, statutory, used, level):
    rules = effective_supervision_rules(ApprovalItem.objects.get(code="JB-SCJG-XK-0002").definition)
    assert supervision_test_run(rules=rules, limit_days=limit, statutory_limit_days=statutory,
                                used_days=used)["level"] == level


def test_supervision_test_run_anomalies(demo):
    rules = effective_supervision_rules(ApprovalItem.objects.get(code="JB-SCJG-XK-0002").definition)
    rules["anomalies"] = [
        {"key": "no_opinion", "name": "办理环节未签署审批意见", "condition": {"!": [{"var": "step.opinion"}]}},
        {"key": "step_skipped", "name": "跳过规定的办理环节", "condition": {"==": [{"var": "step.skipped"}, True]}},
        {"key": "accepted_incomplete", "name": "材料不全即予受理",
         "condition": {"and": [{"==": [{"var": "step.type"}, "accept"]}, {">": [{"var": "case.missing_materials"}, 0]}]}}]
    facts = {"step": {"type": "accept", "opinion": "", "skipped": False}, "case": {"missing_materials": 2}}
    result = supervision_test_run(rules=rules, limit_days=3, used_days=0, facts=facts)
    assert result["anomalies"] == ["no_opinion", "accepted_incomplete"]
