"""Every documented case fact holds at run time what the designer promised: each one drives a
transition and a material condition of a real case (runtime.rule_data)."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from rules import case_facts
from runtime import services
from runtime.models import Case

from . import factories
from .conftest import act, at, open_task, submit

pytestmark = pytest.mark.django_db

LATER = "2026-03-04"  # Wednesday: the step in question acts
DUE = "2026-03-30"  # statutory limit: 20 working days after Monday 2 March (no holiday in March)

# Each fact's value when the chief completes 审核 on Wednesday (the review task opened that day).
AT_REVIEW = {
    "case.number": "JB-SCJG-20260302-0001", "case.item": "JB-SCJG-XK-0001", "case.channel": "online",
    "case.applicant_type": "natural", "case.department": "JB-SCJG", "case.step": "review",
    "case.state": "in_progress", "case.received_on": "2026-03-02", "case.accepted_on": "2026-03-02",
    "case.due_on": DUE, "case.time_limit": 10, "case.working_days_used": 2, "case.working_days_left": 18,
    "case.suspended": False, "case.extended": False, "case.corrections": 0, "case.step_due_on": "2026-03-06",
    "case.step_working_days_used": 0, "case.step_working_days_left": 2,
    "case.returns": 0, "case.steps_done": ["accept", "handle"], "case.days_after_special_procedure": None,
}
# The facts known before the case exists, as the application is submitted on Monday.
AT_SUBMISSION = {
    "case.item": "JB-SCJG-XK-0001", "case.channel": "online", "case.applicant_type": "natural",
    "case.department": "JB-SCJG", "case.state": "received", "case.received_on": "2026-03-02",
    "case.time_limit": 10, "case.suspended": False, "case.extended": False, "case.corrections": 0,
}
# The others, when the applicant resubmits on Wednesday what 承办 (opened Monday, 3 days) asked for.
AT_RESUBMISSION = {
    "case.number": "JB-SCJG-20260302-0001", "case.step": "handle", "case.accepted_on": "2026-03-02",
    "case.due_on": DUE, "case.working_days_used": 2, "case.working_days_left": 18,
    "case.step_due_on": "2026-03-05", "case.step_working_days_used": 2, "case.step_working_days_left": 1,
    "case.returns": 0, "case.steps_done": ["accept"],
}
# Known only once the case is completed (tested below on a completed case).
AT_COMPLETION = {"case.days_after_special_procedure"}


def test_the_tables_cover_every_documented_fact():
    documented = {name for name, _ in case_facts.items()}
    assert set(AT_REVIEW) == documented
    assert set(AT_SUBMISSION) | set(AT_RESUBMISSION) | AT_COMPLETION == documented


def holds(fact: str, value) -> dict:
    if isinstance(value, list):  # a list fact (the steps done): holds its last element
        return {"in": [value[-1], {"var": fact}]}
    return {"==": [{"var": fact}, value]}


@pytest.mark.parametrize("fact", sorted(AT_REVIEW))
def test_each_fact_chooses_the_transition(demo, frozen, fact):
    workflow = factories.sequential_workflow()
    review = next(s for s in workflow["steps"] if s["key"] == "review")
    review["transitions"] = [{"to": "leader_review", "when": holds(fact, AT_REVIEW[fact])}, {"to": "decide"}]
    item = factories.publish(factories.definition(workflow=workflow))
    case = submit(demo, item)
    case = act(demo.clerk, case, "approve", "予以受理")
    frozen.move_to(at(LATER))
    case = act(demo.handler, case, opinion="拟同意")
    case = act(demo.chief, case, opinion="同意")
    assert open_task(case).step_key == "leader_review"  # the fact held: not the default 批准


def _item_requiring_when(rule):
    doc = factories.definition()
    doc["materials"].append(factories.material("extra", "补充说明材料", condition=rule))
    return factories.publish(doc)


@pytest.mark.parametrize("fact", sorted(AT_SUBMISSION))
def test_each_fact_known_at_submission_requires_a_material(demo, frozen, fact):
    item = _item_requiring_when(holds(fact, AT_SUBMISSION[fact]))
    with pytest.raises(InvalidInput) as refused:
        submit(demo, item)
    assert refused.value.details["materials.extra"] == ["请提交“补充说明材料”"]
    assert not Case.objects.exists()
    submit(demo, item, materials=[services.MaterialInput("application", "申请书.pdf", factories.PDF),
                                  services.MaterialInput("extra", "说明.pdf", factories.PDF)])


@pytest.mark.parametrize("fact", sorted(AT_RESUBMISSION))
def test_each_fact_of_a_running_case_requires_a_material_at_resubmission(demo, frozen, fact):
    item = _item_requiring_when(holds(fact, AT_RESUBMISSION[fact]))
    case = submit(demo, item)  # not yet a fact at submission: the material is not asked for
    case = act(demo.clerk, case, "approve", "予以受理")
    frozen.move_to(at(LATER))
    case = act(demo.handler, case, "request_correction", "请补充说明", items=["补充经营场所说明"])
    application = services.MaterialInput("application", "申请书.pdf", factories.PDF)
    with pytest.raises(InvalidInput) as refused:
        services.case_resubmit(actor=demo.zhangsan, case=case, form_data=factories.good_data(),
                               materials=[application])
    assert refused.value.details["materials.extra"] == ["请提交“补充说明材料”"]
    services.case_resubmit(actor=demo.zhangsan, case=case, form_data=factories.good_data(),
                           materials=[application, services.MaterialInput("extra", "说明.pdf", factories.PDF)])


def test_a_field_shown_only_for_window_applications_is_kept_only_there(demo, frozen):
    doc = factories.definition()
    doc["form"]["ui_schema"]["fields"]["note"] = {"visible_if": holds("case.channel", "window")}
    item = factories.publish(doc)
    online = submit(demo, item, factories.good_data(note="网上填写的备注"))
    assert "note" not in online.form_data  # hidden online: dropped
    window = services.case_intake_at_window(
        actor=demo.clerk, item=item, form_data=factories.good_data(note="窗口收件备注"),
        materials=[services.MaterialInput("application", paper=True)],
        applicant=services.ApplicantInput(kind="natural", name="张三", identity_number=demo.zhangsan.applicant
                                          .id_number))
    assert window.form_data["note"] == "窗口收件备注"


@pytest.mark.parametrize(("rule", "reads"), [
    ({">": [{"var": "amount"}, 1000]}, False),
    ({"and": [{"==": [{"var": "company.kind"}, "case"]}, True]}, True),  # the word alone: erring towards yes
    ({"==": [{"var": "case.step"}, "review"]}, True),
    ({"==": [{"var": ["decision.review.ok", False]}, True]}, True),
    ({"var": ""}, True),  # the whole data
    ({"var": {"cat": ["ca", "se.step"]}}, True),  # a computed name
    ({"missing": {"merge": ["amount"]}}, True),
    ({"missing": ["amount", "company"]}, False),
    (True, False),
])
def test_a_rule_that_cannot_read_the_case_is_evaluated_on_the_form_alone(rule, reads):
    from runtime.rule_data import reads_case

    assert reads_case(rule) is reads


def test_a_transition_on_the_form_alone_builds_no_case_facts(monkeypatch):
    """amount > 1000 is decided on the form alone; a condition on the step still gets the facts."""
    from types import SimpleNamespace

    from runtime import engine

    built = []
    monkeypatch.setattr(engine, "rule_data", lambda case, defn, task=None: built.append(1) or {
        **case.form_data, "case": {"step": "review"}})
    case = SimpleNamespace(form_data={"amount": 1500})
    step = {"name": "审核", "transitions": [{"to": "leader_review", "when": {">": [{"var": "amount"}, 1000]}},
                                            {"to": "approve"}]}
    assert engine.next_steps(None, step, case) == ["leader_review"] and built == []
    step["transitions"][0]["when"] = {"==": [{"var": "case.step"}, "review"]}
    assert engine.next_steps(None, step, case) == ["leader_review"] and built == [1]
