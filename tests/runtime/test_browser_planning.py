"""Issue 11's demo walk in a real browser: 建设工程规划许可 (JB-ZRZY-XK-0001), as the demo personas.

核发: the construction company applies on a phone (390 px) with its materials; the window clerk
accepts; the planning officer records his decision 是否需要专家评审 = 是, and the case goes to the
专家评审 (a special procedure): the applicant's page shows it with its dates and the
特别程序告知书, whose PDF states them; the officer ends it with its end date; two officers sign
the 现场踏勘 countersign (the first is told one more is needed); the 批前公示 is on the hall's
公示公告 for anyone (project facts only, never the company's code, phone or contact, nor the case
number); after its 7 days the scheduler's service (called by the test, with time moved past the
period) moves the case on; the section chief reviews, the bureau's leader approves, the window completes, and the 行政审批决定书 quotes the leader.
补证: the applicant applies for the reissue stage and fills that stage's own form.
Screenshots of the key pages at 1366 and 390 px go to test-artifacts/ (runtime-planning-*).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from .walk import act, download_every_document, pdf_text, shots, sign_in, state, submit_form, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLANNING = "JB-ZRZY-XK-0001"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def fill_issue_form(page) -> None:
    page.locator("#f-builder").fill("江滨城市建设发展有限公司")
    page.locator("#f-credit_code").fill("91330106MA2J8P4R3U")
    page.locator("#f-contact").fill("沈建国")
    page.locator("#f-phone").fill("13600136000")
    page.locator("#f-project_name").fill("江滨区滨江文化中心")
    page.locator("#f-location").fill("江滨区滨江大道以南、文华路以东")
    page.locator("[data-field=project_kind]").get_by_label("公共建筑").check()
    page.locator("#f-floor_area").fill("28600")
    page.locator("input[name='buildings.0.name']").fill("文化中心主楼")
    page.locator("input[name='buildings.0.floors']").fill("6")
    page.locator("input[name='buildings.0.height']").fill("32.5")
    page.locator("[data-field=modifies_site_plan]").get_by_label("否").check()
    page.locator("#f-construction_period").fill("2026-04-01")
    page.get_by_label("结束日期").fill("2028-03-31")


def open_guide(page) -> None:
    page.goto("/hall/")
    page.get_by_role("link", name="建设工程规划许可", exact=True).click()
    expect(page.locator(".flowchart li.flow-node").first).to_be_visible()


def test_planning_permit_end_to_end(district, page, time_machine):
    from django.utils import timezone

    from runtime import services
    from runtime.models import Case, Certificate, PublicNotice
    from workdays import working_days_between

    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    time_machine.move_to(dt.datetime.combine(monday, dt.time(10), tzinfo=timezone.get_current_timezone()), tick=True)

    # --- 核发: the company applies on its phone ------------------------------------------------
    page.set_viewport_size(PHONE)
    sign_in(page, "builder")
    open_guide(page)
    expect(page.get_by_text("《中华人民共和国城乡规划法》第四十条").first).to_be_visible()
    shots(page, "planning-01-guide")
    with page.expect_navigation():
        page.get_by_role("link", name="在线申请（建设工程规划许可（核发））").click()
    expect(page.locator("#f-floor_area")).to_be_visible()
    fill_issue_form(page)
    for key in ("application", "land", "approval", "design"):
        upload(page, key)
    shots(page, "planning-02-apply")
    submit_form(page, "提交申请")
    expect(page.get_by_role("link", name="接件凭证")).to_be_visible()
    case = Case.objects.get()
    number = case.number
    assert case.unit_code == f"{PLANNING}-01" and case.applicant.name == "江滨城市建设发展有限公司"

    # --- acceptance; the officer's decision chooses 专家评审 -------------------------------------
    page.set_viewport_size(DESK)
    sign_in(page, "clerk")
    act(page, number, "予以受理", "材料齐全，予以受理")
    sign_in(page, "planner")
    page.goto("/workbench/")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    page.goto(f"/cases/{number}/")
    expect(page.locator("fieldset.decision-form")).to_contain_text("是否需要专家评审")
    shots(page, "planning-03-decision-form")
    act(page, number, "通过", "符合控制性详细规划和规划条件；建筑体量较大，提请专家评审",
        decision={"expert_review": "是", "conclusion": "符合规划条件，建议专家评审建筑立面"})
    assert state(number) == "suspended"

    # --- the applicant sees the 特别程序 with its dates and the notice -------------------------
    page.set_viewport_size(PHONE)
    sign_in(page, "builder")
    page.goto(f"/cases/{number}/")
    running = page.locator("section.special-procedure")
    expect(running).to_contain_text("特别程序进行中：专家评审")
    expect(running).to_contain_text(f"开始日期 {monday:%Y-%m-%d}，预计所需时间 10 个工作日")
    shots(page, "planning-04-applicant-special-procedure")
    notice = running.get_by_role("link", name="特别程序告知书（PDF）")
    response = page.request.get(notice.get_attribute("href"))
    assert response.ok
    text = pdf_text(response.body())
    assert number in text and "专家评审" in text and "不计入" in text, text

    # --- the officer ends it with its end date --------------------------------------------------
    time_machine.move_to(timezone.now() + dt.timedelta(days=9), tick=True)  # Wednesday of next week
    ended = monday + dt.timedelta(days=8)
    page.set_viewport_size(DESK)
    sign_in(page, "planner")
    act(page, number, "特别程序结束，继续办理", "专家评审通过，建议按评审意见优化立面", 特别程序结束日期=f"{ended:%Y-%m-%d}")
    assert state(number) == "in_progress"
    assert Case.objects.get(number=number).paused_days == working_days_between(monday, ended).value

    # --- 现场踏勘: two officers sign; the first is told one more is needed -------------------------
    act(page, number, "签署会签意见", "现场与设计方案总平面图一致")
    page.goto(f"/cases/{number}/")
    countersign = page.locator("div.countersign")
    expect(countersign.locator(".remaining")).to_have_text("1")
    expect(countersign).to_contain_text("您已签署")
    shots(page, "planning-05-countersign")
    sign_in(page, "surveyor")
    act(page, number, "签署会签意见", "现场无违法建设，用地四至清楚")
    assert state(number) == "suspended"  # 批前公示: the period is not counted

    # --- 批前公示: anyone reads it on the hall, without signing in -------------------------------
    notice = PublicNotice.objects.get(case__number=number)
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto("/hall/")
    with page.expect_navigation():
        page.get_by_role("link", name="公示公告").first.click()  # in the navigation and on the hall page
    listed = page.get_by_role("link", name="建设工程设计方案批前公示")
    expect(listed).to_be_visible()
    shots(page, "planning-06-notices")
    with page.expect_navigation():
        listed.click()
    published = page.locator("section.public-notice")
    expect(published).to_contain_text("江滨区滨江文化中心")
    expect(published).to_contain_text("28600")
    expect(published.locator("td.period")).to_contain_text(
        f"{notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}（7个自然日")
    expect(page.locator("form.objection-form")).to_be_visible()
    content = page.content()
    for private in ("91330106MA2J8P4R3U", "13600136000", "沈建国", number):  # never the applicant's details
        assert private not in content, private
    shots(page, "planning-07-notice")

    # --- no objection: after the last day the scheduler's service moves the case on -------------
    time_machine.move_to(dt.datetime.combine(notice.ends_on + dt.timedelta(days=1), dt.time(9),
                                             tzinfo=timezone.get_current_timezone()), tick=True)
    assert services.notices_close() == [number]
    assert state(number) == "in_progress"
    page.set_viewport_size(DESK)

    # --- 审核, 批准, 办结 --------------------------------------------------------------------------
    sign_in(page, "zrchief")
    act(page, number, "审核通过", "同意承办意见")
    sign_in(page, "zrleader")
    act(page, number, "批准", "准予核发建设工程规划许可证，请按审定的设计方案施工")
    sign_in(page, "clerk")
    act(page, number, "办结", "已核发许可证，审定的总平面图已公布")
    assert state(number) == "completed"
    certificate = Certificate.objects.get(case__number=number)

    # --- the applicant's documents: the decision letter quotes the leader -----------------------
    page.set_viewport_size(PHONE)
    sign_in(page, "builder")
    page.goto(f"/cases/{number}/")
    expect(page.locator("td.case-state")).to_contain_text("已办结")
    expect(page.locator("table.progress")).to_contain_text("批前公示")
    shots(page, "planning-08-applicant-completed")
    texts = download_every_document(page, number, ("接件凭证", "受理通知书", "特别程序告知书", "特别程序结束告知书",
                                                   "行政审批决定书"))
    letter = texts["行政审批决定书"]
    assert "准予核发建设工程规划许可证" in letter and certificate.number in letter
    assert "是否需要专家评审：是" in letter

    # --- 补证: the reissue stage asks its own questions --------------------------------------------
    open_guide(page)
    with page.expect_navigation():
        page.get_by_role("link", name="在线申请（建设工程规划许可（补证））").click()
    expect(page.locator("[data-field=original_number]")).to_contain_text("原建设工程规划许可证编号")
    for field in ("loss_statement", "notice_date", "notice_media"):
        expect(page.locator(f"[data-field={field}]")).to_be_visible()
    for field in ("floor_area", "buildings", "project_kind"):
        expect(page.locator(f"[data-field={field}]")).to_have_count(0)
    page.locator("#f-builder").fill("江滨城市建设发展有限公司")
    page.locator("#f-credit_code").fill("91330106MA2J8P4R3U")
    page.locator("#f-phone").fill("13600136000")
    page.locator("#f-original_number").fill(certificate.number)
    page.locator("#f-project_name").fill("江滨区滨江文化中心")
    page.locator("#f-loss_statement").fill("搬迁办公场所时遗失许可证正本")
    page.locator("#f-notice_date").fill(f"{monday:%Y-%m-%d}")
    page.locator("#f-notice_media").fill("江滨日报")
    for key in ("application", "loss_notice", "identity"):
        upload(page, key)
    shots(page, "planning-09-reissue-form")
    submit_form(page, "提交申请")
    expect(page.get_by_role("heading", name="建设工程规划许可（补证）")).to_be_visible()
    reissue = Case.objects.exclude(number=number).get()
    assert reissue.unit_code == f"{PLANNING}-02" and reissue.form_data["original_number"] == certificate.number
