"""A step's decision form (决定事项): validated like the applicant's form, read by later rules only
where an earlier step declares the field, refused whole with its JSON path, carried by bundles."""

from __future__ import annotations

import json

import pytest

from core.errors import InvalidInput
from designer.bundles import export_bundle
from designer.models import ApprovalItem
from designer.services import bundle_import
from designer.validation import definition_problems, validate_definition

from .factories import sample_definition, spoil, step

pytestmark = pytest.mark.django_db

SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def capacity_form(**extra) -> dict:
    return {"schema": {"$schema": SCHEMA, "type": "object", "additionalProperties": False,
                       "properties": {"capacity": {"title": "核定消费者容量", "x-field": "number", "type": "integer",
                                                   "minimum": 1, **extra}},
                       "required": ["capacity"]},
            "ui_schema": {"order": ["capacity"], "fields": {}}}


def with_decision(doc: dict, key: str = "handle", form: dict | None = None) -> dict:
    def change(d):
        step(d, key)["decision_form"] = form or capacity_form()
    return spoil(doc, change)


def reading(doc: dict, key: str, rule: dict) -> dict:
    def change(d):
        step(d, key)["transitions"] = [{"to": step(d, key)["transitions"][0]["to"], "when": rule},
                                       {"to": step(d, key)["transitions"][0]["to"]}]
    return spoil(doc, change)


BIG = {">": [{"var": "decision.handle.capacity"}, 100]}


def test_a_later_transition_may_read_an_earlier_steps_decision(demo):
    doc = reading(with_decision(sample_definition()), "review", BIG)
    validate_definition(doc)


def test_a_step_may_read_its_own_decision_when_it_leaves(demo):
    validate_definition(reading(with_decision(sample_definition()), "handle", BIG))


def test_a_decision_no_earlier_step_declares_is_refused_with_the_transitions_path(demo):
    # 审核 (steps[6]) reads what only 批准 (steps[7], after it) declares
    doc = reading(with_decision(sample_definition(), "decide"), "review",
                  {">": [{"var": "decision.decide.capacity"}, 100]})
    problems = dict(definition_problems(doc))
    assert any(path.startswith("$.workflow.steps[6].transitions[0].when") for path in problems), problems
    undeclared = reading(with_decision(sample_definition()), "review", {"var": "decision.handle.area"})
    assert any(p.startswith("$.workflow.steps[6].transitions[0].when") for p in definition_problems(undeclared))


def test_a_department_rule_may_not_read_the_steps_own_decision(demo):
    doc = with_decision(sample_definition())
    step(doc, "handle")["department_rule"] = {"if": [{"var": "decision.handle.capacity"}, "JB-SCJG", "JB-SCJG"]}
    assert any(p.startswith("$.workflow.steps[1].department_rule") for p in definition_problems(doc))
    step(doc, "review")["department_rule"] = {"if": [{"var": "decision.handle.capacity"}, "JB-SCJG", "JB-SCJG"]}
    assert not any(p.startswith("$.workflow.steps[6]") for p in definition_problems(doc))


def test_a_material_condition_may_not_read_a_decision(demo):
    doc = with_decision(sample_definition())
    doc["materials"][1]["condition"] = BIG
    assert any(p.startswith("$.materials[1].condition") for p in definition_problems(doc))


def test_a_malformed_decision_form_is_refused_with_its_path(demo):
    bad = with_decision(sample_definition(), form=capacity_form(**{"x-field": "slider"}))
    assert "$.workflow.steps[1].decision_form.schema.properties.capacity.x-field" in definition_problems(bad)
    upload = capacity_form()
    upload["schema"]["properties"]["photo"] = {"title": "现场照片", "x-field": "upload", "type": "string"}
    problems = definition_problems(with_decision(sample_definition(), form=upload))
    assert any(p.startswith("$.workflow.steps[1].decision_form.schema.properties.photo") for p in problems)
    shapeless = with_decision(sample_definition(), form={"schema": {}})
    assert any(p.startswith("$.workflow.steps[1].decision_form") for p in definition_problems(shapeless))
    on_a_system_step = with_decision(sample_definition(), "split")
    assert "$.workflow.steps[2].decision_form" in definition_problems(on_a_system_step)


def test_a_form_field_may_not_be_named_decision(demo):
    def change(d):
        d["form"]["schema"]["properties"]["decision"] = {"title": "决定", "x-field": "text", "type": "string"}
    with pytest.raises(InvalidInput):
        validate_definition(spoil(sample_definition(), change))


def _bundle(doc):
    return {"format": "approval-item-bundle", "format_version": 1, "item": doc,
            "certificate_types": [{"code": "JY", "name": "食品经营许可证", "issuing_item": "", "validity_months": 60}]}


def test_a_bad_reference_imports_nothing(demo):
    doc = reading(with_decision(sample_definition(), "decide"), "review",
                  {">": [{"var": "decision.decide.capacity"}, 100]})
    before = ApprovalItem.objects.count()
    with pytest.raises(InvalidInput) as refused:
        bundle_import(actor=None, bundle=_bundle(doc))
    assert any(p.startswith("$.workflow.steps[6].transitions[0].when") for p in refused.value.details)
    assert ApprovalItem.objects.count() == before


def test_the_bundle_carries_the_decision_form_round_trip(demo):
    doc = reading(with_decision(sample_definition()), "review", BIG)
    item, _ = bundle_import(actor=None, bundle=_bundle(doc))
    exported = export_bundle(item)
    assert step(exported["item"], "handle")["decision_form"] == capacity_form()
    again, version = bundle_import(actor=None, bundle=json.loads(json.dumps(exported)))
    assert again == item and version is None  # nothing changed: identical


def test_the_step_editor_takes_a_decision_form_as_json(demo, client):
    from .test_workflow_pages import definition as stored
    from .test_workflow_pages import new_item, step_data

    client.force_login(demo.editor)
    code = new_item(client)
    url = f"/designer/items/{code}/workflow/?step=handle"
    assert "决定事项表单" in client.get(url).content.decode()
    post = step_data("handle", "handle", "承办", role="handler", limit_days=2, actions=["approve", "return"],
                     return_to=["accept"], transitions=[("review", "", None)])
    refused = client.post(url, {**post, "decision_form": "{不是 JSON"}).content.decode()
    assert "决定事项表单不是有效的 JSON" in refused
    bad = capacity_form(**{"x-field": "slider"})
    refused = client.post(url, {**post, "decision_form": json.dumps(bad, ensure_ascii=False)}).content.decode()
    assert "$.workflow.steps[1].decision_form.schema.properties.capacity.x-field" in refused
    assert "decision_form" not in step(stored(code), "handle")  # nothing saved
    client.post(url, {**post, "decision_form": json.dumps(capacity_form(), ensure_ascii=False)})
    assert step(stored(code), "handle")["decision_form"] == capacity_form()
