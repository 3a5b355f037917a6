"""The pages: hall, workbench inbox, case page with exactly the allowed actions, escaping."""

from __future__ import annotations

import pytest
from django.test import Client

from runtime.models import CaseState

from . import factories
from .conftest import act, submit

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hall_shows_catalogue_and_only_my_cases(demo, item, frozen):
    mine = submit(demo, item)
    theirs = submit(demo, item, actor=demo.lisi)
    page = browser(demo.zhangsan).get("/hall/").content.decode()
    assert item.name in page and mine.number in page and theirs.number not in page
    assert browser(demo.zhangsan).get(f"/cases/{theirs.number}/").status_code == 404


def test_case_page_shows_exactly_my_actions_and_escapes_everything(demo, item, frozen):
    case = submit(demo, item, factories.good_data(company=XSS, note=XSS))
    clerk_page = browser(demo.clerk).get(f"/cases/{case.number}/").content.decode()
    assert XSS not in clerk_page and "&lt;script&gt;" in clerk_page
    # labelled by what they do at intake; the refusal is 不予受理 (never 不予许可) and is confirmed first
    assert 'value="approve">予以受理</button>' in clerk_page
    assert 'value="request_correction">一次性告知补正</button>' in clerk_page
    assert ('value="reject" data-confirm="确定“不予受理”吗？此操作不可撤销。" class="irreversible">不予受理</button>'
            in clerk_page)
    assert "不予许可" not in clerk_page
    assert 'value="suspend"' not in clerk_page and 'value="return"' not in clerk_page
    handler_page = browser(demo.handler).get(f"/cases/{case.number}/").content.decode()
    assert 'name="action"' not in handler_page  # sees the case, may not act at the window step
    applicant_page = browser(demo.zhangsan).get(f"/cases/{case.number}/").content.decode()
    assert "接件凭证" in applicant_page and 'name="action"' not in applicant_page and "办件日志" not in applicant_page


def test_acting_from_the_page_and_a_stale_form(demo, item, frozen):
    case = submit(demo, item)
    task = case.tasks.get()
    clerk = browser(demo.clerk)
    url = f"/cases/{case.number}/tasks/{task.pk}/act/"
    response = clerk.post(url, {"action": "approve", "opinion": "予以受理", "expected_version": case.log_length},
                          follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and "已办理" in response.content.decode()
    stale = clerk.post(url, {"action": "approve", "opinion": "再次受理", "expected_version": 1}, follow=True)
    assert "已过期" in stale.content.decode()


def test_wrong_opinion_keeps_the_case_unchanged_and_says_why(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item))
    task = case.tasks.get(step_key="handle")
    response = browser(demo.handler).post(f"/cases/{case.number}/tasks/{task.pk}/act/", {"action": "approve"},
                                          follow=True)
    assert "请填写并签署审批意见" in response.content.decode()
    case.refresh_from_db()
    assert case.tasks.get(step_key="handle").state == "open"


def test_workbench_inbox_by_due_date_and_documents_download(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item))
    page = browser(demo.handler).get("/workbench/").content.decode()
    assert case.number in page and "承办" in page and "3个工作日" in page
    document = case.documents.get(template="acceptance_notice")
    response = browser(demo.zhangsan).get(f"/cases/{case.number}/documents/{document.number}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert browser(demo.lisi).get(f"/cases/{case.number}/documents/{document.number}.pdf").status_code == 404


def test_public_progress_page(demo, item, frozen):
    case = submit(demo, item)
    anonymous = Client()
    wrong = anonymous.get("/progress/", {"number": case.number, "code": "999999x"}).content.decode()
    assert "不正确" in wrong
    right = anonymous.get("/progress/", {"number": case.number, "code": case.verification_code}).content.decode()
    assert case.number in right and "窗口受理员" in right and "张受理" not in right
