"""The engine through its services: a whole case, corrections, returns, rejections, parallel
approval, rights and states refused clearly, nothing half-done."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, Conflict, InvalidInput
from runtime import services
from runtime.caselog import verify_case_log
from runtime.models import Case, CaseState, Certificate, Decision, LogEntry, Material, Task, TaskState

from . import factories
from .conftest import act, open_task, submit

pytestmark = pytest.mark.django_db


def states(case):
    return list(Task.objects.filter(case=case).order_by("pk").values_list("step_key", "state"))


def test_online_case_runs_from_submission_to_delivery(demo, item, frozen):
    case = submit(demo, item)
    assert case.number == "JB-SCJG-20260302-0001" and len(case.verification_code) == 6
    assert case.state == CaseState.RECEIVED and case.channel == "online"
    assert [d.template for d in case.documents.all()] == ["receipt"]
    assert open_task(case).step_key == "accept"

    case = act(demo.clerk, case, "approve", "材料齐全，予以受理")
    assert case.state == CaseState.IN_PROGRESS and case.accepted_on.isoformat() == "2026-03-02"
    case = act(demo.handler, case, opinion="经审查符合条件，拟同意")
    case = act(demo.chief, case, opinion="同意承办意见")
    assert open_task(case).step_key == "decide"  # 800 元：不经分管领导审核
    case = act(demo.leader, case, opinion="同意许可")
    case = act(demo.clerk, case, "complete", "")
    assert case.state == CaseState.COMPLETED and case.decision == Decision.APPROVED
    cert = Certificate.objects.get(case=case)
    assert cert.number == "JY-2026-000001" and cert.holder == demo.zhangsan.applicant
    assert cert.valid_until.isoformat() == "2031-03-01"
    case = act(demo.clerk, case, "complete", "", method="邮寄")
    assert case.state == CaseState.DELIVERED
    assert [d.template for d in case.documents.order_by("pk")] == [
        "receipt", "acceptance_notice", "decision", "delivery_receipt"]
    assert verify_case_log(case).ok
    opinions = list(Task.objects.filter(case=case).order_by("pk").values_list("step_key", "completed_by__username",
                                                                              "opinion"))
    assert opinions[1] == ("handle", "handler", "经审查符合条件，拟同意")


def test_each_service_answers_with_the_tasks_it_opened(demo, item, frozen):
    case = submit(demo, item)
    assert [t.step_key for t in case.opened_tasks] == ["accept"]
    case = act(demo.clerk, case, "approve", "予以受理")
    assert [(t.step_key, t.state) for t in case.opened_tasks] == [("handle", TaskState.OPEN)]
    assert case.opened_tasks[0].pk == open_task(case).pk
    case = act(demo.handler, case, opinion="拟同意")
    assert [t.step_key for t in case.opened_tasks] == ["review"]


def test_amount_over_1000_goes_through_the_leader_review(demo, item, frozen):
    case = submit(demo, item, factories.good_data(amount=1500))
    for actor in (demo.clerk, demo.handler, demo.chief):
        case = act(actor, case)
    assert open_task(case).step_key == "leader_review"


def test_conditional_material_and_hidden_fields(demo, item, frozen):
    data = factories.good_data(business="自动售货设备", machines=3)
    with pytest.raises(InvalidInput) as caught:
        submit(demo, item, data)
    assert caught.value.details == {"materials.vending": ["请提交“自动售货设备放置地点及许可证展示方式”"]}
    assert Case.objects.count() == 0
    # A value the rules hide is dropped whatever the browser sent, and its material is not needed.
    case = submit(demo, item, factories.good_data(machines=99))
    assert "machines" not in case.form_data


def test_bad_input_is_refused_with_every_problem_and_nothing_saved(demo, item, frozen):
    data = {"company": 123, "business": "卖核弹", "amount": "很多", "extra": "x"}
    with pytest.raises(InvalidInput) as caught:
        submit(demo, item, data, materials=[services.MaterialInput("application", "virus.pdf", factories.EXE)])
    details = caught.value.details
    assert details["$.company"] == ["类型应为文本"]
    assert details["$.amount"] == ["类型应为数字"]
    assert "$.business" in details and "$" in details  # unknown field "extra"
    assert "实际内容为" in details["materials.application"][0] or "无法识别" in details["materials.application"][0]
    big = factories.PDF + b"0" * (1024 * 1024)
    with pytest.raises(InvalidInput) as caught:
        submit(demo, item, materials=[services.MaterialInput("application", "big.pdf", big)])
    assert "超过 1 MB" in caught.value.details["materials.application"][0]
    assert Case.objects.count() == 0 and Material.objects.count() == 0


def test_uploaded_material_is_stored_with_size_type_and_hash(demo, item, frozen):
    import hashlib

    case = submit(demo, item, materials=[services.MaterialInput("application", "申请书.png", factories.PNG)])
    stored = case.materials.get()
    assert (stored.size, stored.sniffed_type, stored.sha256) == (
        len(factories.PNG), "png", hashlib.sha256(factories.PNG).hexdigest())
    assert stored.file.read() == factories.PNG


def test_window_intake_by_clerk_with_paper_original(demo, item, frozen):
    company = demo.company.applicant
    with pytest.raises(AccessDenied):
        services.case_submit(actor=demo.handler, item=item, form_data=factories.good_data(), channel="window",
                             applicant=company, materials=[services.MaterialInput("application", paper=True)])
    case = services.case_submit(actor=demo.clerk, item=item, form_data=factories.good_data(), channel="window",
                                applicant=company, materials=[services.MaterialInput("application", paper=True)])
    assert case.channel == "window" and case.received_by == demo.clerk and case.applicant == company
    assert case.materials.get().paper_original


def test_online_needs_the_applicant_and_never_a_confidential_item(demo, frozen):
    secret = factories.publish(factories.definition("JB-SCJG-XK-0003", confidential=True, name="涉密事项"))
    with pytest.raises(AccessDenied):
        submit(demo, secret)
    item = factories.publish(factories.definition())
    with pytest.raises(AccessDenied):
        submit(demo, item, actor=demo.clerk)


def test_one_time_correction_then_resubmission(demo, item, frozen):
    case = submit(demo, item)
    case = services.case_request_correction(actor=demo.clerk, case=case, items=["申请书未签字", "经营场所地址不完整"])
    assert case.state == CaseState.CORRECTING
    notice = case.documents.get(template="correction_notice")
    assert notice.context["items"] == ["申请书未签字", "经营场所地址不完整"]
    with pytest.raises(Conflict, match="等待申请人补正"):  # the applicant must act first
        services.task_complete(actor=demo.clerk, task=Task.objects.get(case=case), action="approve")
    frozen.move_to(factories_day("2026-03-04"))
    case = services.case_resubmit(actor=demo.zhangsan, case=case, form_data=factories.good_data(address="美食街5号1楼"),
                                  materials=[services.MaterialInput("application", "签字版.pdf", factories.PDF)])
    assert case.state == CaseState.RECEIVED and case.received_on.isoformat() == "2026-03-04"
    assert case.materials.filter(superseded=False).count() == 1 and case.materials.count() == 2
    with pytest.raises(Conflict, match="一次性告知"):
        services.case_request_correction(actor=demo.clerk, case=case, items=["再补一次"])
    case = services.case_accept(actor=demo.clerk, case=case)
    assert case.state == CaseState.IN_PROGRESS and case.form_data["address"] == "美食街5号1楼"


def factories_day(day):
    from .conftest import at

    return at(day)


def test_refusal_ends_the_case_with_a_notice(demo, item, frozen):
    case = submit(demo, item)
    with pytest.raises(InvalidInput):
        services.case_refuse(actor=demo.clerk, case=case, reason=" ")
    case = services.case_refuse(actor=demo.clerk, case=case, reason="不属于本机关职权范围")
    assert case.state == CaseState.REFUSED
    assert case.documents.get(template="refusal_notice").context["reason"] == "不属于本机关职权范围"
    with pytest.raises(Conflict):
        services.case_withdraw(actor=demo.zhangsan, case=case, reason="算了")


def test_wrong_role_wrong_state_and_stale_form_change_nothing(demo, item, frozen):
    case = submit(demo, item)
    before = (case.log_length, states(case))
    with pytest.raises(AccessDenied, match="窗口受理员"):
        act(demo.handler, case)
    with pytest.raises(AccessDenied):
        act(demo.zhangsan, case)
    with pytest.raises(InvalidInput, match="不能执行"):
        act(demo.clerk, case, "suspend", "检测", procedure="检测", expected_days=5)
    case.refresh_from_db()
    assert (case.log_length, states(case)) == before
    seen = case.log_length
    case = act(demo.clerk, case)
    with pytest.raises(Conflict, match="已过期"):
        act(demo.handler, case, expected_version=seen)
    with pytest.raises(Conflict, match="已由"):
        services.task_complete(actor=demo.clerk, task=Task.objects.get(case=case, step_key="accept"),
                               action="approve")
    with pytest.raises(InvalidInput, match="审批意见"):
        act(demo.handler, case, opinion="")


def test_return_goes_back_to_the_person_who_did_the_step(demo, item, frozen):
    case = submit(demo, item)
    case = act(demo.clerk, case)
    case = act(demo.handler, case, opinion="拟同意")
    with pytest.raises(InvalidInput):
        act(demo.chief, case, "return", "重新核实", return_to="decide")
    case = act(demo.chief, case, "return", "经营场所面积需核实")
    task = open_task(case)
    assert task.step_key == "handle" and task.assignee == demo.handler
    case = act(demo.handler, case, opinion="已核实")
    assert open_task(case).step_key == "review"


def test_rejection_after_acceptance_goes_to_completion_without_certificate(demo, item, frozen):
    case = submit(demo, item)
    for actor in (demo.clerk, demo.handler, demo.chief):
        case = act(actor, case)
    case = act(demo.leader, case, "reject", "不符合食品安全条件")
    assert case.decision == Decision.REJECTED and open_task(case).step_key == "done"
    case = act(demo.clerk, case, "complete", "")
    assert case.state == CaseState.COMPLETED and not Certificate.objects.exists()
    assert case.documents.get(template="decision").context["decision"] == "不予许可"


def test_withdraw_before_decision(demo, item, frozen):
    case = submit(demo, item)
    case = act(demo.clerk, case)
    with pytest.raises(AccessDenied):
        services.case_withdraw(actor=demo.lisi, case=case, reason="x")
    case = services.case_withdraw(actor=demo.zhangsan, case=case, reason="不再经营")
    assert case.state == CaseState.WITHDRAWN
    assert not Task.objects.filter(case=case, state=TaskState.OPEN).exists()


def test_parallel_branches_open_per_department_and_join(demo, parallel_item, zj_chief, frozen):
    case = submit(demo, parallel_item)
    case = act(demo.clerk, case)
    case = act(demo.handler, case, opinion="拟同意，送会签")
    opened = Task.objects.filter(case=case, state=TaskState.OPEN)
    assert sorted((t.step_key, t.department.code) for t in opened) == [("health", "JB-WJ"), ("planning", "JB-ZJ")]
    case = act(demo.multi, case, opinion="卫生条件符合", step="health")  # section chief of a JB-WJ section
    assert not Task.objects.filter(case=case, state=TaskState.OPEN, step_key="review").exists()
    case = act(demo.multi, case, opinion="初审通过", step="planning")  # handler in a JB-ZJ section
    case = act(zj_chief, case, opinion="同意", step="planning_chief")
    assert open_task(case).step_key == "review"
    assert LogEntry.objects.filter(case=case, kind="parallel_join").count() == 1


def test_return_inside_a_branch_keeps_the_other_branch(demo, parallel_item, zj_chief, frozen):
    case = submit(demo, parallel_item)
    case = act(demo.clerk, case)
    case = act(demo.handler, case, opinion="送会签")
    case = act(demo.multi, case, opinion="初审通过", step="planning")
    case = act(zj_chief, case, "return", "图纸不全", step="planning_chief")
    open_keys = sorted(Task.objects.filter(case=case, state=TaskState.OPEN).values_list("step_key", flat=True))
    assert open_keys == ["health", "planning"]


def test_return_out_of_a_branch_cancels_the_sibling_branches(demo, parallel_item, zj_chief, frozen):
    case = submit(demo, parallel_item)
    case = act(demo.clerk, case)
    case = act(demo.handler, case, opinion="送会签")
    case = act(demo.multi, case, opinion="初审通过", step="planning")
    case = act(demo.multi, case, "return", "卫生许可前置条件不明", step="health")
    assert open_task(case).step_key == "handle"
    assert Task.objects.filter(case=case, step_key="planning_chief", state=TaskState.CANCELLED).exists()
    case = act(demo.handler, case, opinion="已补充说明")
    open_keys = sorted(Task.objects.filter(case=case, state=TaskState.OPEN).values_list("step_key", flat=True))
    assert open_keys == ["health", "planning"]  # both branches run again
    assert verify_case_log(case).ok


def test_reject_inside_a_branch_cancels_the_other_branch(demo, parallel_item, zj_chief, frozen):
    case = submit(demo, parallel_item)
    case = act(demo.clerk, case)
    case = act(demo.handler, case, opinion="送会签")
    case = act(demo.multi, case, "reject", "卫生条件不符合", step="health")
    assert case.decision == Decision.REJECTED
    assert open_task(case).step_key == "done"
    assert Task.objects.get(case=case, step_key="planning").state == TaskState.CANCELLED
