"""The demo item 建设工程规划许可 (JB-ZRZY-XK-0001) as loaded by ``load_demo``, run through the
services by the demo personas: the same walk as ``test_browser_planning.py`` without Chromium.

核发 (stage 01): 受理 → 规划条件符合性审查, whose officer decides whether 专家评审 is needed (a
decision field the next transition reads) → 专家评审 (a special procedure: the clock stops from
its opening day to the recorded end date, with its notices) → 现场踏勘 (a countersign by two
承办人) → 批前公示 (7 calendar days on the hall, not counted, ended by the scheduler) → (听证
when the approved site plan is modified) → 审核 → 批准 → 发证办结 with the permit.
补证 (stage 02) has its own form.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import InvalidInput
from designer.models import ApprovalItem
from runtime import services
from runtime.models import Case, CaseState, Certificate, LogEntry, Pause, PublicNotice, TaskSignature
from workdays import add_working_days

from . import factories
from .conftest import act, at, open_task

pytestmark = pytest.mark.django_db

CODE = "JB-ZRZY-XK-0001"
ISSUE, REISSUE = f"{CODE}-01", f"{CODE}-02"
MATERIALS = ("application", "land", "approval", "design")


def issue_form(**changes) -> dict:
    return {"builder": "江滨城市建设发展有限公司", "credit_code": "91330106MA2J8P4R3U", "contact": "沈建国",
            "phone": "13600136000", "project_name": "江滨区滨江文化中心", "location": "江滨区滨江大道以南、文华路以东",
            "project_kind": "公共建筑", "floor_area": 28600, "modifies_site_plan": "否",
            "buildings": [{"name": "文化中心主楼", "floors": 6, "height": 32.5}, {"name": "地下车库", "floors": 1}],
            "construction_period": {"start": "2026-04-01", "end": "2028-03-31"}, **changes}


def reissue_form() -> dict:
    return {"builder": "江滨城市建设发展有限公司", "credit_code": "91330106MA2J8P4R3U", "phone": "13600136000",
            "original_number": "建字第330106202600018号", "project_name": "江滨区滨江文化中心",
            "loss_statement": "2026年2月搬迁办公场所时遗失许可证正本", "notice_date": "2026-02-20",
            "notice_media": "江滨日报"}


def files(*keys):
    return [services.MaterialInput(key, f"{key}.pdf", factories.PDF) for key in keys]


@pytest.fixture
def planning(demo):
    return ApprovalItem.objects.get(code=CODE)


def apply(demo, planning, unit=ISSUE, data=None, materials=MATERIALS):
    return services.case_submit(actor=demo.builder, item=planning, unit_code=unit,
                                form_data=data if data is not None else issue_form(), materials=files(*materials))


def test_issue_with_expert_review_countersign_and_the_leaders_decision(demo, planning, frozen):
    case = apply(demo, planning)
    assert case.unit_code == ISSUE and case.state == CaseState.RECEIVED
    case = act(demo.clerk, case, opinion="材料齐全，予以受理")

    # the officer's decision chooses the branch: 专家评审, which stops the clock from today
    case = act(demo.planner, case, opinion="符合控制性详细规划和规划条件，建筑体量较大，提请专家评审",
               decision={"expert_review": "是", "conclusion": "符合规划条件"})
    assert case.state == CaseState.SUSPENDED
    pause = Pause.objects.get(case=case)
    assert (pause.procedure, pause.started_on, pause.expected_days) == ("专家评审", dt.date(2026, 3, 2), 10)
    notice = case.documents.get(template="special_procedure_notice")
    assert notice.context and notice.title == "特别程序告知书"

    frozen.move_to(at("2026-03-11"))
    due_before = Case.objects.get(pk=case.pk).statutory_due_on
    case = act(demo.planner, case, opinion="专家评审通过，建议按评审意见优化立面", step="experts", ended_on="2026-03-10")
    pause.refresh_from_db()
    assert pause.ended_on == dt.date(2026, 3, 10) and pause.working_days == 6  # 3–6 and 9–10 March: the 2nd was acceptance day
    assert case.statutory_due_on == add_working_days(due_before, 6).value
    assert case.documents.filter(template="special_procedure_end_notice").exists()

    # 现场踏勘: two different 承办人 sign; the first leaves one to go
    case = act(demo.planner, case, opinion="现场与设计方案总平面图一致", step="survey")
    assert "尚需1人" in LogEntry.objects.filter(case=case, kind="countersigned").get().summary
    assert open_task(case, "survey")
    case = act(demo.surveyor, case, opinion="现场无违法建设，四至清楚", step="survey")
    assert TaskSignature.objects.filter(task__case=case).count() == 2

    # 批前公示: 7 calendar days on the hall, the clock stopped; the scheduler ends it
    notice = PublicNotice.objects.get(case=case)
    assert (notice.title, notice.starts_on, notice.ends_on) == ("建设工程设计方案批前公示", dt.date(2026, 3, 11),
                                                                dt.date(2026, 3, 17))
    published = {f["title"]: f["value"] for f in notice.fields}
    assert published == {"项目名称": "江滨区滨江文化中心", "建设单位": "江滨城市建设发展有限公司",
                         "建设位置": "江滨区滨江大道以南、文华路以东", "建筑类别": "公共建筑", "总建筑面积（平方米）": "28600"}
    assert Case.objects.get(pk=case.pk).state == CaseState.SUSPENDED
    frozen.move_to(at("2026-03-18"))
    assert services.notices_close() == [case.number]
    case = Case.objects.get(pk=case.pk)
    assert case.state == CaseState.IN_PROGRESS and open_task(case, "review")
    assert case.paused_days == 6 + 5  # the notice's working days, 11–13 and 16–17 March, are not counted

    case = act(demo.zrchief, case, opinion="同意承办意见", step="review")
    case = act(demo.zrleader, case, opinion="准予核发建设工程规划许可证", step="decide")
    case = act(demo.clerk, case, "complete", "已核发，通知建设单位领证", step="issue")
    assert case.state == CaseState.COMPLETED and case.decision == "approved"
    letter = case.documents.get(template="decision")
    assert letter.context["opinion"] == "准予核发建设工程规划许可证"
    assert "规划条件符合性审查·是否需要专家评审：是" in letter.context["decisions"]
    assert Certificate.objects.get(case=case).name.startswith("建设工程规划许可证")


def test_no_expert_review_goes_straight_to_the_survey_and_a_modified_site_plan_to_a_hearing(demo, planning, frozen):
    case = apply(demo, planning, data=issue_form(modifies_site_plan="是"))
    case = act(demo.clerk, case, opinion="予以受理")
    case = act(demo.planner, case, opinion="符合规划条件", decision={"expert_review": "否", "conclusion": "符合"})
    assert case.state == CaseState.IN_PROGRESS and not Pause.objects.filter(case=case).exists()
    case = act(demo.planner, case, opinion="同意", step="survey")
    case = act(demo.surveyor, case, opinion="同意", step="survey")
    frozen.move_to(at("2026-03-10"))  # the 批前公示 ran 2–8 March
    services.notices_close()
    case = Case.objects.get(pk=case.pk)
    assert open_task(case, "hearing") and case.state == CaseState.SUSPENDED  # 城乡规划法第五十条
    assert list(Pause.objects.filter(case=case).values_list("procedure", flat=True)) == ["公示", "听证"]


def test_the_decision_is_required_and_checked(demo, planning, frozen):
    case = act(demo.clerk, apply(demo, planning), opinion="予以受理")
    with pytest.raises(InvalidInput) as refused:
        act(demo.planner, case, opinion="符合规划条件", decision={"expert_review": "不知道"})
    assert set(refused.value.details) >= {"decision.expert_review", "decision.conclusion"}


def test_reissue_has_its_own_form_materials_and_short_workflow(demo, planning, frozen):
    with pytest.raises(InvalidInput) as refused:  # the 核发 form's data is not the 补证 form's
        apply(demo, planning, unit=REISSUE, data=issue_form(), materials=("application", "loss_notice", "identity"))
    assert "$.original_number" in refused.value.details
    case = apply(demo, planning, unit=REISSUE, data=reissue_form(), materials=("application", "loss_notice", "identity"))
    assert case.unit_code == REISSUE and case.unit_name == "建设工程规划许可（补证）"
    case = act(demo.clerk, case, opinion="予以受理")
    case = act(demo.planner, case, opinion="经核查原证存档，情况属实", step="verify")
    case = act(demo.zrchief, case, opinion="同意补发", step="decide")
    case = act(demo.clerk, case, "complete", "已补发", step="issue")
    assert case.state == CaseState.COMPLETED


def test_the_staff_case_page_reads_the_application_in_words(demo, planning, frozen):
    from django.test import Client

    case = apply(demo, planning)
    client = Client()
    client.force_login(demo.planner)
    page = client.get(f"/cases/{case.number}/").content.decode()
    application = page.split("<h2>申请表</h2>")[1].split('id="materials"')[0]
    # the buildings as a table with its column titles; a cell left empty stays empty
    head = application.split('<table class="repeat">')[1].split("</thead>")[0]
    assert [c.split(">")[-1] for c in head.split("</th>")[:-1]] == ["建筑名称", "层数", "建筑高度（米）"]
    assert "<td>文化中心主楼</td><td>6</td><td>32.5</td>" in application
    assert "<td>地下车库</td><td>1</td><td></td>" in application
    assert "2026-04-01 至 2028-03-31" in application
    assert "{" not in application and "[" not in application  # no Python reprs
    titles = [title for title in ("建设单位", "统一社会信用代码", "项目名称", "单体建筑一览", "计划建设期限")]
    assert sorted(titles, key=application.index) == titles  # the form's order, not the stored keys'
