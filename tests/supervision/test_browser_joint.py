"""In a real browser: the efficiency office finds the department sitting on a joint case (联审监督),
opens the case's branch panel and sees the delay in the performance table; screenshots at 1366
and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import Personas
from tests.fixtures.browser import two_width_shots
from tests.runtime.conftest import act, at

from ..runtime import factories
from .test_joint import _to_branches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def joint_district(transactional_db, time_machine):
    from accounts.services import staff_user_create
    from core.demo import run_demo_loaders
    from supervision.services import sweep

    time_machine.move_to(at("2026-03-02", 9), tick=False)
    run_demo_loaders(lambda _msg: None)
    demo = Personas()
    item = factories.publish(factories.definition("JB-SCJG-XK-0002", workflow=factories.parallel_workflow(),
                                                  name="并联测试事项"))
    staff_user_create(actor=None, username="zjchief", password="Demo#2026", full_name="钱科长",
                      department=demo.department("JB-ZJ-JZSC"), roles=[("section_chief", demo.department("JB-ZJ-JZSC"))])
    late = _to_branches(demo, item, time_machine, "甲", "2026-03-02")
    time_machine.move_to(at("2026-03-03", 10), tick=False)
    act(demo.multi, late, opinion="卫生条件符合", step="health")
    act(demo.multi, late, opinion="初审通过", step="planning")
    _to_branches(demo, item, time_machine, "乙", "2026-03-06")
    time_machine.move_to(at("2026-03-09", 10), tick=False)
    sweep(notify=False)
    return late


def test_joint_oversight_pages(joint_district, login, page):
    number = joint_district.number
    login("supervisor")
    page.get_by_role("link", name="联审监督").click()
    page.wait_for_url("**/supervision/joint/")
    row = page.locator("#joint-departments tr", has_text="江滨区住房和城乡建设局")
    expect(row).to_contain_text("2")
    delays = page.locator(".joint-delays tr", has_text=number)
    expect(delays).to_contain_text("超出份额 2 个工作日")
    expect(delays).to_contain_text("其他部门已于 2026-03-03 办结，正在等待")
    two_width_shots(page, "supervision-joint")

    delays.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/supervision/cases/{number}/")
    panel = page.locator("#joint-panel")
    expect(panel).to_contain_text("正在等待：江滨区住房和城乡建设局")
    expect(panel.locator("tr", has_text="住建会签")).to_contain_text("超出份额 2 个工作日")
    expect(page.locator("#case-alerts")).to_contain_text("联审分支超出时限份额")
    two_width_shots(page, "supervision-joint-case")

    page.goto("/supervision/performance/?from=2026-03-01&to=2026-03-31")
    expect(page.get_by_role("columnheader", name="联审超时（分支超出时限份额）").first).to_be_visible()
    two_width_shots(page, "supervision-joint-performance")
