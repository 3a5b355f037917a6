"""A window clerk's search in a real browser: finds a case by the applicant's name, pages through
the results and opens the case; the workbench at a desktop and a phone width (test-artifacts/);
on a phone the less used conditions fold behind 更多条件 unless one of them is in force."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import PHONE

from . import factories
from .conftest import submit
from .walk import shots, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_finds_a_case_by_the_applicants_name_pages_and_opens_it(district, page):
    from tests.conftest import Personas

    demo = Personas()
    item = factories.publish(factories.definition())
    cases = [submit(demo, item, actor=demo.lisi) for _ in range(22)]
    submit(demo, item)  # 张三's: never among the results

    sign_in(page, "clerk")
    page.locator("nav.tabs").wait_for()
    shots(page, "workbench")
    with page.expect_navigation():
        page.get_by_role("link", name="全部可见").click()
    page.get_by_label("办件编号或申请人").fill("李四")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    pager = page.locator("nav.pager")
    pager.wait_for()
    assert "共 22 条" in pager.inner_text()
    names = page.locator("table.inbox td[data-label=申请人]").all_inner_texts()
    assert len(names) == 20 and set(names) == {"李四"}
    shots(page, "workbench-search")

    with page.expect_navigation():
        pager.get_by_role("link", name="下一页").click()
    page.locator("nav.pager").wait_for()
    assert "第 2 / 2 页" in page.locator("nav.pager").inner_text()
    assert page.get_by_label("办件编号或申请人").input_value() == "李四"  # the search is kept
    rows = page.locator("table.inbox tbody tr")
    assert rows.count() == 2
    number = rows.first.locator("td[data-label=办件编号] a").inner_text()
    assert number in {c.number for c in cases}

    with page.expect_navigation():
        rows.first.get_by_role("link", name=number).click()
    page.get_by_text(number).first.wait_for()
    assert page.url.endswith(f"/cases/{number}/")
    shots(page, "workbench-case-opened")


def test_on_a_phone_the_list_comes_first_and_a_condition_in_force_stays_in_sight(district, phone):
    from tests.conftest import Personas

    demo = Personas()
    item = factories.publish(factories.definition())
    submit(demo, item, actor=demo.lisi)

    page = sign_in(phone, "clerk")
    page.goto("/workbench/?tab=all")
    more = page.get_by_role("button", name="更多条件")
    more.wait_for()
    state = page.get_by_label("状态")
    assert not state.is_visible() and not page.get_by_label("事项").is_visible()
    assert page.get_by_label("办件编号或申请人").is_visible()
    first_row = page.locator("table.inbox tbody tr").first
    assert "李四" in first_row.inner_text()
    assert first_row.bounding_box()["y"] < PHONE["height"]  # on the first screen, not below seven fields

    more.click()
    state.wait_for()
    assert page.get_by_role("button", name="收起条件").get_attribute("aria-expanded") == "true"
    state.select_option(label="已送达")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    page.locator("table.inbox").wait_for()
    # the condition in force is shown, with nothing to press to find it
    assert page.get_by_label("状态").is_visible()
    assert page.get_by_text("没有符合条件的办件").is_visible()
    assert not page.get_by_role("button", name="更多条件").is_visible()
    assert not page.get_by_role("button", name="收起条件").is_visible()

    page.goto("/workbench/?tab=all")
    page.get_by_role("button", name="更多条件").wait_for()
    page.set_viewport_size({"width": 1366, "height": 900})  # a desk: every field, no button
    page.get_by_label("事项").wait_for()
    page.get_by_role("button", name="更多条件").wait_for(state="hidden")
    assert page.get_by_label("状态").is_visible()
