"""The procedural anomalies judged from stored facts: acceptance with required materials missing,
a step done by someone without the step's role, and the anomaly conditions an item declares.
Each is raised once, not again by a second sweep, and resolved when its fact ends."""

from __future__ import annotations

import pytest

from runtime import services
from runtime.models import Case, Material, Task
from supervision.models import Alert

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db

PDF = factories.PDF
VENDING = factories.good_data(business="自动售货设备", machines=2)


def _submit(demo, item, company, data=None, vending=False):
    materials = [services.MaterialInput("application", "申请书.pdf", PDF)]
    if vending:
        materials.append(services.MaterialInput("vending", "放置地点.pdf", PDF))
    return submit(demo, item, data={**(data or factories.good_data()), "company": company}, materials=materials)


def _open(kind: str) -> set[str]:
    return {a.case.form_data["company"] for a in Alert.objects.filter(kind=kind, resolved_at__isnull=True)
            .select_related("case")}


def test_acceptance_with_required_materials_missing(demo, item, frozen, sweep):
    frozen.move_to(at("2026-10-12", 9))
    complete = _submit(demo, item, "A")  # not vending: the conditional material does not apply
    vending_missing = _submit(demo, item, "B", VENDING, vending=True)
    application_missing = _submit(demo, item, "C")
    paper = _submit(demo, item, "D", VENDING, vending=True)
    # behind the runtime's back before acceptance: a material lost, one superseded, one kept on paper
    Material.objects.filter(case=vending_missing, key="vending").delete()
    Material.objects.filter(case=application_missing, key="application").update(superseded=True)
    Material.objects.filter(case=paper, key="vending").update(file="", paper_original=True)
    unaccepted = _submit(demo, item, "E")
    Material.objects.filter(case=unaccepted).delete()  # not accepted: no anomaly yet
    for case in (complete, vending_missing, application_missing, paper):
        act(demo.clerk, case, opinion="予以受理")

    sweep(notify=False)
    assert _open("accepted_missing_materials") == {"B", "C"}
    count = Alert.objects.filter(kind="accepted_missing_materials").count()
    sweep(notify=False, full=True)
    assert Alert.objects.filter(kind="accepted_missing_materials").count() == count == 2

    # the applicant brings the missing material (on paper): the anomaly ends
    Material.objects.create(case=vending_missing, key="vending", name="放置地点", paper_original=True)
    sweep(notify=False, full=True)
    assert _open("accepted_missing_materials") == {"C"}
    ended = Alert.objects.get(kind="accepted_missing_materials", case=vending_missing)
    assert ended.resolved_at is not None and ended.department.code == "JB-SCJG"


def test_a_step_done_by_someone_without_its_role(demo, item, frozen, sweep):
    frozen.move_to(at("2026-10-12", 9))
    proper, improper = _submit(demo, item, "A"), _submit(demo, item, "B")
    for case in (proper, improper):
        act(demo.clerk, case, opinion="予以受理")
    act(demo.handler, proper, opinion="符合条件")
    # the handling step assigned by name to a window clerk, who holds no handler role: the runtime
    # lets the named assignee act; supervision notes the role was not held
    Task.objects.filter(case=improper, step_key="handle").update(assignee=demo.clerk)
    act(demo.clerk, improper, opinion="符合条件")
    facts = dict(Task.objects.filter(role="handler").values_list("case__form_data__company", "actor_held_role"))
    assert facts == {"A": True, "B": False}
    assert Task.objects.filter(role="window_clerk", actor_held_role=True).count() == 2  # acceptances

    sweep(notify=False)
    alerts = Alert.objects.filter(kind="actor_without_role")
    assert [(a.case.form_data["company"], a.subject_type) for a in alerts] == [("B", "task")]
    assert Task.objects.get(pk=alerts[0].subject_id).step_key == "handle"
    sweep(notify=False, full=True)
    assert Alert.objects.filter(kind="actor_without_role").count() == 1

    # taking the role away later does not turn the correct step into an anomaly
    demo.handler.role_assignments.filter(role="handler").delete()
    sweep(notify=False, full=True)
    assert _open("actor_without_role") == {"B"}

    # the fact is corrected (an inquiry found a written delegation): the anomaly ends
    Task.objects.filter(case=improper).update(actor_held_role=True)
    sweep(notify=False, full=True)
    assert _open("actor_without_role") == set()


def test_the_anomaly_conditions_an_item_declares(demo, frozen, sweep):
    doc = factories.definition()
    doc["supervision"] = {"anomalies": [
        {"key": "slow_step", "name": "环节超过时限才办结",
         "condition": {">": [{"var": "step.used_days"}, {"var": "step.limit_days"}]}},
        {"key": "accepted_incomplete", "name": "材料不全即予受理",
         "condition": {"and": [{"==": [{"var": "step.type"}, "accept"]},
                               {">": [{"var": "case.missing_materials"}, 0]}]}},
    ]}
    item = factories.publish(doc)
    frozen.move_to(at("2026-10-12", 9))
    a, b = _submit(demo, item, "A", VENDING, vending=True), _submit(demo, item, "B")
    Material.objects.filter(case=a, key="vending").delete()
    act(demo.clerk, a, opinion="予以受理")
    act(demo.clerk, b, opinion="予以受理")
    frozen.move_to(at("2026-10-16", 9))  # handling limit 3: opened Mon, done Fri = 4 working days
    act(demo.handler, b, opinion="符合条件")
    frozen.move_to(at("2026-10-16", 10))
    sweep(notify=False)
    raised = {(x.kind, x.case.form_data["company"], Task.objects.get(pk=x.subject_id).step_key, x.detail)
              for x in Alert.objects.filter(kind__startswith="item:")}
    assert raised == {("item:accepted_incomplete", "A", "accept", "材料不全即予受理"),
                      ("item:slow_step", "B", "handle", "环节超过时限才办结")}
    sweep(notify=False, full=True)
    assert Alert.objects.filter(kind__startswith="item:").count() == 2

    Material.objects.create(case=a, key="vending", name="放置地点", paper_original=True)
    sweep(notify=False, full=True)
    assert {x.kind for x in Alert.objects.filter(kind__startswith="item:", resolved_at__isnull=True)} == {
        "item:slow_step"}


def test_the_demo_food_licence_vending_material_is_judged(demo, frozen, sweep):
    """The demo item asks for the vending material when 经营项目 (a multiple choice) includes
    自动售货设备销售: the sweep judges that condition in the database too."""
    from designer.models import ApprovalItem
    from supervision.demo import DEMO_FORM

    food = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    machines = [{"serial": "SH-001", "location": "江滨区美食街8号门口"}]

    def apply(name, business_types, vending):
        data = {**DEMO_FORM, "operator_name": name, "business_types": business_types, "machines": machines}
        keys = ["application", "business_licence", "layout", "rules"] + (["vending"] if vending else [])
        return submit(demo, food, data=data, materials=[services.MaterialInput(k, f"{k}.pdf", PDF) for k in keys])

    def open_alerts():
        return {a.case.form_data["operator_name"] for a in Alert.objects.filter(
            kind="accepted_missing_materials", resolved_at__isnull=True).select_related("case")}

    frozen.move_to(at("2026-10-12", 9))
    lost = apply("设备材料遗失店", ["热食类食品制售", "自动售货设备销售"], vending=True)
    complete = apply("设备材料齐全店", ["自动售货设备销售"], vending=True)
    plain = apply("无自动售货店", ["热食类食品制售"], vending=False)
    Material.objects.filter(case=lost, key="vending").delete()  # lost behind the runtime's back
    for case in (lost, complete, plain):
        act(demo.clerk, case, opinion="予以受理")

    sweep(notify=False)
    assert open_alerts() == {"设备材料遗失店"}
    sweep(notify=False, full=True)
    assert Alert.objects.filter(kind="accepted_missing_materials").count() == 1

    # the applicant hands the material in: the anomaly ends
    Material.objects.create(case=lost, key="vending", name="自动售货设备方案", paper_original=True)
    sweep(notify=False, full=True)
    assert open_alerts() == set()
    assert Alert.objects.get(kind="accepted_missing_materials", case=lost).resolved_at is not None


def test_missing_materials_of_a_case_closed_since_stay_until_handed_in(demo, item, frozen, sweep):
    """An anomaly stays open after its case closes (on PostgreSQL the closed cases with an open
    alert are pre-selected apart from the open ones, ``materials.incomplete_cases``)."""
    frozen.move_to(at("2026-10-12", 9))
    missing = _submit(demo, item, "B", VENDING, vending=True)
    complete = _submit(demo, item, "A")
    Material.objects.filter(case=missing, key="vending").delete()  # lost behind the runtime's back
    for case in (missing, complete):
        act(demo.clerk, case, opinion="予以受理")
    sweep(notify=False)
    assert _open("accepted_missing_materials") == {"B"}

    Case.objects.filter(pk__in=[missing.pk, complete.pk]).update(state="delivered")  # both closed since
    sweep(notify=False, full=True)
    assert _open("accepted_missing_materials") == {"B"}

    Material.objects.create(case=missing, key="vending", name="放置地点", paper_original=True)
    sweep(notify=False, full=True)
    assert _open("accepted_missing_materials") == set()
    assert Alert.objects.get(kind="accepted_missing_materials", case=missing).resolved_at is not None
