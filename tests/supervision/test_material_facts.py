"""Supervision judges a material condition on a stored case fact by the same name the runtime
gives it (runtime.rule_data.FACT_COLUMNS), so a case that lacks such a material is counted."""

from __future__ import annotations

import pytest

from runtime import services
from runtime.models import Case, Material
from supervision.materials import missing_count
from tests.runtime import factories
from tests.runtime.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rule", [
    {"==": [{"var": "case.channel"}, "online"]},
    {"==": [{"var": "case.applicant_type"}, "natural"]},
    {"==": [{"var": "case.item"}, "JB-SCJG-XK-0001"]},
    {"date_after": [{"var": "case.received_on"}, "2026-03-01"]},
])
def test_a_material_asked_for_by_a_stored_fact_is_counted_when_missing(demo, time_machine, rule):
    time_machine.move_to("2026-03-02 10:00 +08:00", tick=False)
    doc = factories.definition()
    doc["materials"].append(factories.material("extra", "补充说明材料", condition=rule))
    item = factories.publish(doc)
    case = submit(demo, item, materials=[services.MaterialInput("application", "申请书.pdf", factories.PDF),
                                         services.MaterialInput("extra", "说明.pdf", factories.PDF)])
    expression, annotations = missing_count([case.version_id])
    count = lambda: Case.objects.annotate(**annotations).annotate(n=expression).get(pk=case.pk).n  # noqa: E731
    assert count() == 0
    Material.objects.filter(case=case, key="extra").update(superseded=True)  # as if it were never given
    assert count() == 1
