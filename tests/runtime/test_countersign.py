"""会签 (countersign): a step that N different people holding its role each sign with an opinion."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.errors import AccessDenied, Conflict, InvalidInput
from runtime.models import LogEntry, TaskSignature, TaskState

from . import factories
from .conftest import act, open_task, submit

pytestmark = pytest.mark.django_db


def countersign_workflow(signers: int = 2) -> dict:
    """受理 → 承办 → 现场核查会签（两名承办人）→ 批准 → 办结."""
    step = factories.step
    return {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", 1, ["approve", "request_correction", "reject"],
             ["handle"]),
        step("handle", "handle", "承办", "handler", None, 2, factories.WORK, ["inspect"], return_to=["accept"]),
        step("inspect", "countersign", "现场核查会签", "handler", "JB-SCJG-SPXK", 2, ["approve", "return", "reject"],
             ["decide"], return_to=["handle"], signers=signers),
        step("decide", "approve", "批准", "leader", None, 1, factories.WORK, ["done"], return_to=["handle"]),
        step("done", "complete", "办结", "window_clerk", "JB-SPJ", 1, ["complete"]),
    ]}


@pytest.fixture
def cs_item(demo):
    return factories.publish(factories.definition(workflow=countersign_workflow()))


@pytest.fixture
def second_handler(demo):
    from accounts.services import staff_user_create

    section = demo.department("JB-SCJG-SPXK")
    return staff_user_create(actor=None, username="handler2", password="Demo#2026", full_name="林核查",
                             department=section, roles=[("handler", section)])


def at_countersign(demo, item):
    case = submit(demo, item)
    case = act(demo.clerk, case, "approve", "予以受理")
    return act(demo.handler, case, opinion="拟同意，需现场核查")


def test_two_signers_complete_it_and_the_case_moves_on(demo, cs_item, second_handler, frozen):
    case = at_countersign(demo, cs_item)
    task = open_task(case, "inspect")
    assert task.assignee is None  # the role's, never one person's desk

    case = act(demo.handler, case, opinion="现场核查符合要求", step="inspect")
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and case.opened_tasks == []
    entry = LogEntry.objects.get(case=case, kind="countersigned")
    assert (entry.actor, entry.opinion) == (demo.handler, "现场核查符合要求")
    assert "尚需1人" in entry.summary

    case = act(second_handler, case, opinion="同意，布局合理", step="inspect")
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.completed_by == second_handler
    assert task.opinion == "同意，布局合理"
    assert [t.step_key for t in case.opened_tasks] == ["decide"]
    assert list(TaskSignature.objects.filter(task=task).values_list("signer__username", "opinion")) == [
        ("handler", "现场核查符合要求"), ("handler2", "同意，布局合理")]
    done = LogEntry.objects.get(case=case, kind="task_completed", task=task)
    assert done.actor == second_handler and "会签完成" in done.summary


def test_the_same_person_cannot_sign_twice(demo, cs_item, second_handler, frozen):
    case = at_countersign(demo, cs_item)
    case = act(demo.handler, case, opinion="符合要求", step="inspect")
    with pytest.raises(Conflict) as caught:
        act(demo.handler, case, opinion="再签一次", step="inspect")
    assert caught.value.message.startswith("您已签署过本环节的会签意见")
    assert TaskSignature.objects.count() == 1 and open_task(case, "inspect").state == TaskState.OPEN


def test_every_signature_needs_an_opinion(demo, cs_item, frozen):
    case = at_countersign(demo, cs_item)
    with pytest.raises(InvalidInput) as caught:
        act(demo.handler, case, opinion="  ", step="inspect")
    assert "opinion" in caught.value.details and TaskSignature.objects.count() == 0


def test_someone_without_the_role_cannot_sign(demo, cs_item, frozen):
    case = at_countersign(demo, cs_item)
    for outsider in (demo.registrar, demo.chief):  # handler of another section; another role
        with pytest.raises(AccessDenied):
            act(outsider, case, opinion="同意", step="inspect")
    assert TaskSignature.objects.count() == 0


def test_a_return_by_a_signer_goes_back_and_ends_the_countersign(demo, cs_item, second_handler, frozen):
    case = at_countersign(demo, cs_item)
    case = act(demo.handler, case, opinion="符合要求", step="inspect")
    first = open_task(case, "inspect")
    case = act(second_handler, case, "return", "消防通道不符合要求，退回补充核查", step="inspect", return_to="handle")
    first.refresh_from_db()
    assert first.state == TaskState.DONE and first.action == "return"
    assert open_task(case).step_key == "handle"
    # Back at the countersign: a fresh one, which the first signer signs again.
    case = act(demo.handler, case, opinion="已补充核查", step="handle")
    again = open_task(case, "inspect")
    assert again.pk != first.pk and again.assignee is None
    case = act(demo.handler, case, opinion="复查符合要求", step="inspect")
    assert open_task(case, "inspect").pk == again.pk


def test_a_rejection_by_a_signer_goes_to_completion(demo, cs_item, frozen):
    case = at_countersign(demo, cs_item)
    case = act(demo.handler, case, "reject", "现场不符合卫生要求", step="inspect")
    assert case.decision == "rejected" and open_task(case).step_key == "done"


def test_the_case_page_shows_who_signed_and_how_many_remain(client, demo, cs_item, second_handler, frozen):
    case = at_countersign(demo, cs_item)
    client.force_login(second_handler)
    page = client.get(reverse("runtime:case", args=[case.number])).content.decode()
    assert "签署会签意见" in page and "须 2 人分别签署，已签署 0 人" in page
    act(demo.handler, case, opinion="现场核查符合要求", step="inspect")
    page = client.get(reverse("runtime:case", args=[case.number])).content.decode()
    assert "已签署 1 人，尚需 <strong class=\"remaining\">1</strong> 人" in page
    assert "陈承办" in page and "现场核查符合要求" in page
    client.force_login(demo.handler)  # signed already: offered return/reject, not a second signature
    page = client.get(reverse("runtime:case", args=[case.number])).content.decode()
    assert "您已签署" in page and "签署会签意见</button>" not in page and "退回</button>" in page
