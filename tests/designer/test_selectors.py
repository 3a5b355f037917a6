"""What the runtime and supervision read from a published version."""

from __future__ import annotations

import pytest

from designer import services
from designer.models import ApprovalItem
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
    assert rules["warning"] == {"remaining_days": 1, "remaining_percent": 20}  # the item's own
    assert rules["red_card"] == {"overdue_days_over": 3}  # the district's
    assert {a["key"] for a in rules["anomalies"]} == {"no_opinion", "step_skipped", "accepted_incomplete"}


def test_changed_district_defaults_apply_to_items_without_their_own(demo):
    rules = effective_supervision_rules(ApprovalItem.objects.get(code="JB-SCJG-XK-0002").definition)
    rules["red_card"] = {"overdue_days_over": 5}
    rules["yellow_card"] = {"overdue_days_up_to": 5}
    services.supervision_defaults_update(actor=demo.legal, rules=rules)
    document = ApprovalItem.objects.get(code="JB-SCJG-XK-0002").current_version.document
    assert effective_supervision_rules(document)["red_card"] == {"overdue_days_over": 5}


@pytest.mark.parametrize(("limit", "used", "level"), [
    (10, 5, "green"), (10, 8, "warning"), (20, 16, "warning"), (10, 10, "warning"),
    (10, 12, "yellow"), (10, 13, "yellow"), (10, 14, "red"),
])
def test_supervision_test_run_levels(demo, limit, used, level):
    rules = effective_supervision_rules(ApprovalItem.objects.get(code="JB-SCJG-XK-0002").definition)
    assert supervision_test_run(rules=rules, limit_days=limit, used_days=used)["level"] == level


def test_supervision_test_run_anomalies(demo):
    rules = effective_supervision_rules(ApprovalItem.objects.get(code="JB-SCJG-XK-0002").definition)
    facts = {"step": {"type": "accept", "opinion": "", "skipped": False}, "case": {"missing_materials": 2}}
    result = supervision_test_run(rules=rules, limit_days=3, used_days=0, facts=facts)
    assert result["anomalies"] == ["no_opinion", "accepted_incomplete"]
