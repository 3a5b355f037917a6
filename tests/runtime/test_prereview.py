"""网上预审: the pre-review limit of online applications and the notice, after pre-review,
of which paper originals to bring to which window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from runtime import services
from runtime.selectors import document_pdf

from . import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db


def test_online_cases_get_a_two_day_prereview_limit_window_cases_none(demo, item, frozen):
    online = submit(demo, item)  # Monday 2026-03-02
    assert online.prereview_limit_days == 2 and online.prereview_due_on == dt.date(2026, 3, 4)
    window = services.case_submit(actor=demo.clerk, item=item, form_data=factories.good_data(), channel="window",
                                  applicant=demo.zhangsan.applicant,
                                  materials=[services.MaterialInput("application", paper=True)])
    assert window.prereview_due_on is None and window.prereview_limit_days is None


def test_prereview_crosses_the_weekend_and_restarts_on_resubmission(demo, item, frozen):
    frozen.move_to(at("2026-03-05"))  # Thursday
    case = submit(demo, item)
    assert case.prereview_due_on == dt.date(2026, 3, 9)  # Friday, then Monday
    case = services.case_request_correction(actor=demo.clerk, case=case, items=["申请书未签字"])
    frozen.move_to(at("2026-03-10"))
    case = services.case_resubmit(actor=demo.zhangsan, case=case, form_data=factories.good_data())
    assert case.prereview_due_on == dt.date(2026, 3, 12)


def test_after_prereview_the_applicant_is_told_which_originals_to_bring_and_where(demo, item, frozen):
    case = submit(demo, item, materials=[services.MaterialInput("application", paper=True)])
    case = act(demo.clerk, case, opinion="预审通过")
    notice = case.documents.get(template="acceptance_notice")
    assert notice.context["originals"] == ["食品经营许可申请书"]
    assert "江滨区市场监督管理局（江滨区解放路88号）" in notice.context["originals_at"]
    assert document_pdf(notice).startswith(b"%PDF")
    assert case.log.get(kind="accepted").data["originals"] == ["食品经营许可申请书"]
    client = Client()
    client.force_login(demo.zhangsan)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "请到窗口核验原件" in page and "江滨区解放路88号" in page


def test_no_originals_notice_when_everything_came_electronically(demo, item, frozen):
    case = act(demo.clerk, submit(demo, item), opinion="预审通过")
    assert "originals" not in case.documents.get(template="acceptance_notice").context
