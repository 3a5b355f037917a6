"""联审监督: a case approved in parallel by 卫健 (JB-WJ) and 住建 (JB-ZJ).

The item (tests.runtime.factories.parallel_workflow): 受理 → 承办 → 并联（卫健会签 2 days | 住建初审 2
days → 住建会签 2 days）→ 汇合 → 审核 → 批准 → 办结. March 2026: Mon 2 … Fri 6, Mon 9, Tue 10 are
working days (no holiday that week).

Case 甲: both branches open on Mon 2; 卫健 signs on Tue 3, 住建初审 is done on Tue 3 and 住建会签 (share
2 days) sits on it: on Mon 9 it has held it 4 working days (Mar 4, 5, 6, 9) > 2 → one alert, against
住建, while 卫健 waits. Case 乙: opened on Fri 6, 住建初审 done on Mon 9: nobody over the share, no alert.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from supervision import joint, performance
from supervision.models import Alert

from ..runtime import factories
from .conftest import act, alert_set, at, submit

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _to_branches(demo, item, frozen, company, day):
    frozen.move_to(at(day, 9))
    case = submit(demo, item, data=factories.good_data(company=company))
    act(demo.clerk, case, opinion="予以受理")
    return act(demo.handler, case, opinion="拟同意，送会签")


@pytest.fixture
def joint_cases(demo, parallel_item, frozen):
    late = _to_branches(demo, parallel_item, frozen, "甲", "2026-03-02")
    frozen.move_to(at("2026-03-03", 10))
    act(demo.multi, late, opinion="卫生条件符合", step="health")
    act(demo.multi, late, opinion="初审通过", step="planning")
    fine = _to_branches(demo, parallel_item, frozen, "乙", "2026-03-06")
    frozen.move_to(at("2026-03-09", 9))
    act(demo.multi, fine, opinion="初审通过", step="planning")
    return late, fine


def _joint_alerts(open_only=True):
    return {a for a in alert_set(open_only=open_only) if a[0] == joint.JOINT_KIND}


def test_a_branch_over_its_share_is_alerted_once_and_resolved_when_done(demo, joint_cases, zj_chief, frozen, sweep):
    late, fine = joint_cases
    frozen.move_to(at("2026-03-09", 10))
    sweep()
    assert _joint_alerts() == {(joint.JOINT_KIND, "甲", "planning_chief", "anomaly")}
    alert = Alert.objects.get(kind=joint.JOINT_KIND)
    assert (alert.department.code, alert.detail, alert.case_id) == ("JB-ZJ", "联审分支超出时限份额", late.pk)

    frozen.move_to(at("2026-03-10", 10))  # a day later, still held: the same alert, no second one
    result = sweep()
    assert Alert.objects.filter(kind=joint.JOINT_KIND).count() == 1 and result.kinds[joint.JOINT_KIND].raised == 0

    act(zj_chief, late, opinion="同意", step="planning_chief")  # the branch completes; the case joins
    sweep()
    alert.refresh_from_db()
    assert alert.resolved_at is not None and not _joint_alerts()
    assert Alert.objects.filter(kind=joint.JOINT_KIND).count() == 1


def test_the_department_view_and_the_case_panel(client, demo, joint_cases, frozen, sweep):
    late, fine = joint_cases
    frozen.move_to(at("2026-03-09", 10))
    sweep()
    client.force_login(demo.handler)
    assert client.get("/supervision/joint/").status_code == 403
    client.force_login(demo.supervisor)
    page = client.get("/supervision/joint/").content.decode()
    assert "联审监督" in page and f'href="/supervision/cases/{late.number}/"' in page
    assert fine.number not in page  # 乙's branches are within their share and nobody waits
    assert "超出份额 2 个工作日" in page and "其他部门已于 2026-03-03 办结，正在等待" in page
    by_department = {d.department.code: d for d in joint.holding_branches(dt.date(2026, 3, 9))}
    zj, wj = by_department["JB-ZJ"], by_department["JB-WJ"]
    assert (zj.holding, [(b.task.case_id, b.held, b.share, b.over) for b in zj.delayed]) == (2, [(late.pk, 4, 2, 2)])
    assert (wj.holding, wj.delayed) == (1, [])  # 卫健 holds 乙's branch for 1 day of its 2
    only_wj = client.get("/supervision/joint/?department=JB-WJ").content.decode()
    assert late.number not in only_wj

    panel = client.get(f"/supervision/cases/{late.number}/").content.decode()
    assert "联审分支" in panel and "正在等待：<strong>江滨区住房和城乡建设局</strong>" in panel
    assert "各分支同时开始" in panel
    rows = {b.task.step_key: (b.task.department.code, b.held, b.share, b.ended_on, b.waited_for)
            for b in joint.case_branches(late, dt.date(2026, 3, 9)).branches}
    assert rows == {"health": ("JB-WJ", 1, 2, dt.date(2026, 3, 3), False),
                    "planning": ("JB-ZJ", 1, 2, dt.date(2026, 3, 3), False),
                    "planning_chief": ("JB-ZJ", 4, 2, None, True)}
    assert joint.case_branches(late, dt.date(2026, 3, 9)).together


def test_performance_counts_the_delay_against_the_branch_department(demo, joint_cases, frozen, sweep):
    frozen.move_to(at("2026-03-09", 10))
    sweep()
    frozen.move_to(at("2026-03-10", 10))
    sweep()
    rows = {r.key: r.figures for r in performance.figures("department", *MARCH)}
    assert rows["JB-ZJ"]["joint_delays"] == 1  # the case belongs to 市场监管; the delay to 住建
    assert rows["JB-SCJG"]["joint_delays"] == 0
    assert "JB-WJ" not in rows or rows["JB-WJ"]["joint_delays"] == 0
    (item,) = performance.figures("item", *MARCH)
    assert item.figures["joint_delays"] == 1
    assert performance.FIGURES["joint_delays"] == "联审超时（分支超出时限份额）"
    book = load_workbook(io.BytesIO(performance.to_xlsx(performance.tables(*MARCH), title="2026年3月")))
    sheet = list(book["部门"].iter_rows(values_only=True))
    column = sheet[1].index("联审超时（分支超出时限份额）")
    assert {r[0]: r[column] for r in sheet[2:]}["JB-ZJ"] == 1


def test_stage_share_split_along_the_lane():
    """A lane step without a limit of its own shares the split's limit with the steps of its lane."""
    workflow = factories.parallel_workflow()
    steps = {s["key"]: s for s in workflow["steps"]}
    steps["split"]["limit_days"] = 5
    steps["planning"]["limit_days"] = 0
    steps["planning_chief"]["limit_days"] = 0
    assert joint.lanes(workflow, "split") == [["health"], ["planning", "planning_chief"]]
    assert joint.stage_shares(workflow) == {"planning": 3, "planning_chief": 3}  # ⌈5 / 2⌉; health has its own 2
    steps["split"]["limit_days"] = 0
    assert joint.stage_shares(workflow) == {}


def test_the_panel_tells_a_late_start_and_a_restart(demo, parallel_item, zj_chief, frozen):
    from runtime.models import Task

    case = _to_branches(demo, parallel_item, frozen, "丙", "2026-03-02")
    # a branch recorded as opened two working days after its sibling (changed behind the runtime)
    Task.objects.filter(case=case, step_key="health").update(opened_on=dt.date(2026, 3, 4),
                                                             opened_at=at("2026-03-04", 9))
    panel = joint.case_branches(case, dt.date(2026, 3, 5))
    assert not panel.together
    assert {b.task.step_key: b.started_late_by for b in panel.branches} == {
        "health": 2, "planning": 0}
    Task.objects.filter(case=case, step_key="health").update(opened_on=dt.date(2026, 3, 2),
                                                             opened_at=at("2026-03-02", 9))
    frozen.move_to(at("2026-03-04", 10))
    act(demo.multi, case, opinion="初审通过", step="planning")
    act(zj_chief, case, "return", "图纸不全", step="planning_chief")  # back to 住建初审, within the branch
    panel = joint.case_branches(case, dt.date(2026, 3, 4))
    assert panel.together  # a lane run again after a return is not a late start
    assert [(b.task.step_key, b.restarted) for b in panel.branches if b.task.step_key == "planning"] == [
        ("planning", False), ("planning", True)]
