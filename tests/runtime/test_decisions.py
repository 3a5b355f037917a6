"""Officers' decisions as data: a step's own small form (决定事项), validated like the applicant's,
recorded with the task and in the log, read by later transitions and quoted by the decision letter;
and the letter quotes the opinion of the step that decided, not the completing clerk's note."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.errors import InvalidInput
from runtime.documents import render_pdf
from runtime.models import LogEntry, Task, TaskState

from . import factories
from .conftest import act, open_task, submit

pytestmark = pytest.mark.django_db

SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def inspection_form() -> dict:
    return {
        "schema": {"$schema": SCHEMA, "type": "object", "additionalProperties": False,
                   "properties": {
                       "site_check": {"title": "是否现场核查", "x-field": "choice", "type": "string", "enum": ["是", "否"]},
                       "capacity": {"title": "核定消费者容量", "x-field": "number", "type": "integer", "minimum": 1},
                       "conclusion": {"title": "检查结论", "x-field": "textarea", "type": "string", "maxLength": 500}},
                   "required": ["site_check", "capacity"]},
        "ui_schema": {"order": ["site_check", "capacity", "conclusion"], "fields": {}},
    }


def decision_workflow() -> dict:
    """承办 records 决定事项; 审核 sends large places (容量 > 100) through the leader's review."""
    workflow = factories.sequential_workflow()
    steps = {s["key"]: s for s in workflow["steps"]}
    steps["handle"]["decision_form"] = inspection_form()
    steps["review"]["transitions"] = [
        {"to": "leader_review", "when": {">": [{"var": "decision.handle.capacity"}, 100]}}, {"to": "decide"}]
    return workflow


@pytest.fixture
def decision_item(demo):
    return factories.publish(factories.definition(workflow=decision_workflow()))


def accepted(demo, item):
    return act(demo.clerk, submit(demo, item), "approve", "予以受理")


def test_an_invalid_decision_is_refused_with_its_paths_and_nothing_is_saved(demo, decision_item, frozen):
    case = accepted(demo, decision_item)
    length = case.log_length
    with pytest.raises(InvalidInput) as refused:
        act(demo.handler, case, opinion="拟同意", decision={"capacity": 0, "site_check": "也许"})
    assert set(refused.value.details) == {"decision.capacity", "decision.site_check"}
    with pytest.raises(InvalidInput) as missing:
        act(demo.handler, case, opinion="拟同意")
    assert missing.value.details["decision.capacity"] == ["“核定消费者容量”为必填项"]
    case.refresh_from_db()
    task = open_task(case, "handle")
    assert case.log_length == length and task.state == TaskState.OPEN and task.decision == {}


def test_a_decision_is_recorded_and_chooses_the_branch(demo, decision_item, frozen):
    case = accepted(demo, decision_item)
    decision = {"site_check": "是", "capacity": 300, "conclusion": "现场符合要求"}
    case = act(demo.handler, case, opinion="拟同意", decision=decision)
    done = Task.objects.get(case=case, step_key="handle")
    assert done.decision == decision
    entry = LogEntry.objects.filter(case=case, kind="task_completed", step_key="handle").get()
    assert entry.data["decision"] == decision
    case = act(demo.chief, case, opinion="同意")
    assert open_task(case).step_key == "leader_review"  # 容量 300 > 100


def test_a_small_place_goes_straight_to_the_decision(demo, decision_item, frozen):
    case = accepted(demo, decision_item)
    case = act(demo.handler, case, opinion="拟同意", decision={"site_check": "否", "capacity": 40})
    case = act(demo.chief, case, opinion="同意")
    assert open_task(case).step_key == "decide"


def test_a_return_records_no_decision(demo, decision_item, frozen):
    case = accepted(demo, decision_item)
    case = act(demo.handler, case, "return", "材料需重新核对", return_to="accept")
    assert Task.objects.get(case=case, step_key="handle").decision == {}


def test_a_step_without_a_decision_form_refuses_one(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item), "approve", "予以受理")
    with pytest.raises(InvalidInput) as refused:
        act(demo.handler, case, opinion="拟同意", decision={"capacity": 3})
    assert "decision" in refused.value.details


def test_the_api_takes_the_decision_and_answers_with_its_paths(demo, decision_item, frozen):
    case = accepted(demo, decision_item)
    client = APIClient()
    client.force_authenticate(demo.handler)
    task = open_task(case, "handle")
    listed = client.get("/api/v1/tasks/").json()["results"]
    assert next(t for t in listed if t["id"] == task.pk)["decision_form"]["schema"]["properties"]["capacity"]
    bad = client.post(f"/api/v1/tasks/{task.pk}/act/", {"action": "approve", "opinion": "拟同意",
                                                        "decision": {"site_check": "是", "capacity": "很多"}},
                      format="json")
    assert bad.status_code == 400 and "decision.capacity" in bad.json()["details"]
    ok = client.post(f"/api/v1/tasks/{task.pk}/act/", {"action": "approve", "opinion": "拟同意",
                                                       "decision": {"site_check": "是", "capacity": 120}},
                     format="json")
    assert ok.status_code == 200
    assert Task.objects.get(pk=task.pk).decision == {"site_check": "是", "capacity": 120}


def test_the_staff_page_shows_the_decision_form_keeps_input_and_titles_the_history(demo, decision_item, frozen,
                                                                                     client):
    case = accepted(demo, decision_item)
    task = open_task(case, "handle")
    client.force_login(demo.handler)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "决定事项" in page and "核定消费者容量" in page and 'name="decision.capacity"' in page
    url = f"/cases/{case.number}/tasks/{task.pk}/act/"
    refused = client.post(url, {"action": "approve", "opinion": "现场已核查，拟同意", "decision.site_check": "是",
                                "decision.capacity": "-3", "expected_version": case.log_length})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "现场已核查，拟同意" in body and 'value="-3"' in body  # what was typed stays on the page
    assert Task.objects.get(pk=task.pk).state == TaskState.OPEN
    done = client.post(url, {"action": "approve", "opinion": "现场已核查，拟同意", "decision.site_check": "是",
                             "decision.capacity": "80", "decision.conclusion": "符合要求",
                             "expected_version": case.log_length})
    assert done.status_code == 302
    history = client.get(f"/cases/{case.number}/").content.decode()
    assert "核定消费者容量" in history and "检查结论" in history and "capacity" not in history.split("办件日志")[1]


def _letter(case):
    document = case.documents.get(template="decision")
    return document, render_pdf("decision", number=document.number, issuer="江滨区市场监督管理局",
                                context=document.context)


def test_the_letter_quotes_the_leaders_opinion_and_the_recorded_decisions(demo, decision_item, frozen):
    case = accepted(demo, decision_item)
    case = act(demo.handler, case, opinion="拟同意", decision={"site_check": "是", "capacity": 60,
                                                               "conclusion": "现场符合要求"})
    case = act(demo.chief, case, opinion="同意承办意见")
    case = act(demo.leader, case, opinion="准予许可，请按核定容量经营")
    case = act(demo.clerk, case, "complete", "已办结，通知领证")
    document, pdf = _letter(case)
    assert document.context["opinion"] == "准予许可，请按核定容量经营"
    assert document.context["decisions"] == ["承办·是否现场核查：是", "承办·核定消费者容量：60",
                                             "承办·检查结论：现场符合要求"]
    assert pdf.startswith(b"%PDF")


def test_a_rejection_letter_quotes_the_rejecting_officer(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item), "approve", "予以受理")
    case = act(demo.handler, case, opinion="拟同意")
    case = act(demo.chief, case, "reject", "经营场所与食品安全要求不符")
    case = act(demo.clerk, case, "complete", "同意")
    assert case.documents.get(template="decision").context["opinion"] == "经营场所与食品安全要求不符"


def test_the_demo_like_letter_quotes_the_approver_not_the_clerk(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item), "approve", "予以受理")
    for actor, opinion in ((demo.handler, "拟同意"), (demo.chief, "同意承办意见"), (demo.leader, "同意许可")):
        case = act(actor, case, opinion=opinion)
    case = act(demo.clerk, case, "complete", "窗口办结")
    assert case.documents.get(template="decision").context["opinion"] == "同意许可"
