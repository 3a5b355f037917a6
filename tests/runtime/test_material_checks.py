"""Pre-review (网上预审) and 材料审查 on the case page: each material opens inline with the access
checks of every read of the case; each is checked 合格 / 需补正 with a reason, logged on the keyed
chain, and the materials marked 需补正 pre-fill the one-time correction notice; paper originals
are ticked off at the window the same way."""

from __future__ import annotations

import pytest
from django.test import Client

from core.errors import AccessDenied, InvalidInput
from runtime import services
from runtime.caselog import verify_case_log
from runtime.engine import definition_of
from runtime.models import LogEntry, MaterialCheck
from runtime.selectors import material_reviews

from . import factories
from .conftest import act, submit

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_a_material_opens_inline_for_those_who_see_the_case_and_only_them(demo, item, frozen):
    case = submit(demo, item)
    material = case.materials.get(key="application")
    url = f"/cases/{case.number}/materials/{material.pk}/"
    shown = client(demo.clerk).get(url)
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline;")
    assert shown.content == factories.PDF
    # framed by the case page beside the checklist, by no other site
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in shown["Content-Security-Policy"]
    download = client(demo.clerk).get(url + "?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert client(demo.zhangsan).get(url).status_code == 200  # the applicant's own file
    assert client(demo.lisi).get(url).status_code == 404       # another applicant: as if it did not exist
    assert Client().get(url).status_code == 302                # signed out: to the login page
    api = client(demo.clerk).get(f"/api/v1/cases/{case.number}/materials/{material.pk}/file/")
    assert api.status_code == 200 and api["Content-Disposition"].startswith("attachment;")


def test_the_case_page_links_each_material_to_the_viewer_pane(demo, item, frozen):
    case = submit(demo, item)
    material = case.materials.get(key="application")
    page = client(demo.clerk).get(f"/cases/{case.number}/").content.decode()
    assert f'href="/cases/{case.number}/materials/{material.pk}/" target="material-viewer">查看</a>' in page
    assert '<iframe name="material-viewer"' in page


def test_a_check_is_logged_on_the_keyed_chain_and_the_latest_stands(demo, item, frozen):
    case = submit(demo, item)
    material = case.materials.get(key="application")
    services.material_check(actor=demo.clerk, case=case, material=material, verdict="needs_correction",
                            reason="申请书未签字")
    services.material_check(actor=demo.clerk, case=case, material=material, verdict="passed")
    entries = list(LogEntry.objects.filter(case=case, kind="material_checked").order_by("seq"))
    assert [e.summary for e in entries] == ["材料审查：“食品经营许可申请书”需补正（申请书未签字）",
                                            "材料审查：“食品经营许可申请书”合格"]
    assert entries[0].actor == demo.clerk and entries[0].data["verdict"] == "needs_correction"
    case.refresh_from_db()
    assert verify_case_log(case).ok
    reviews = material_reviews(case, definition_of(case))
    assert reviews[0].file_check.verdict == "passed" and reviews[0].corrections() == []


def test_a_check_refused_saves_nothing_and_names_the_field(demo, item, frozen):
    case = submit(demo, item)
    material = case.materials.get(key="application")
    length = case.log_length
    with pytest.raises(InvalidInput) as refused:
        services.material_check(actor=demo.clerk, case=case, material=material, verdict="needs_correction",
                                reason="  ")
    assert "reason" in refused.value.details
    with pytest.raises(InvalidInput) as refused:
        services.material_check(actor=demo.clerk, case=case, material=material, verdict="ok")
    assert "verdict" in refused.value.details
    with pytest.raises(AccessDenied):
        services.material_check(actor=demo.zhangsan, case=case, material=material, verdict="passed")
    case.refresh_from_db()
    assert case.log_length == length and not MaterialCheck.objects.exists()


def test_marked_materials_prefill_the_correction_notice_which_lists_them(demo, item, frozen):
    case = submit(demo, item)
    material = case.materials.get(key="application")
    clerk = client(demo.clerk)
    response = clerk.post(f"/cases/{case.number}/materials/{material.pk}/check/",
                          {"subject": "file", "verdict": "needs_correction", "reason": "申请书未加盖公章",
                           "expected_version": case.log_length}, follow=True)
    page = response.content.decode()
    assert "已记录：“食品经营许可申请书”材料审查需补正" in page
    assert '<textarea name="items" rows="3">食品经营许可申请书：申请书未加盖公章</textarea>' in page
    case.refresh_from_db()
    task = case.tasks.get()
    clerk.post(f"/cases/{case.number}/tasks/{task.pk}/act/",
               {"action": "request_correction", "opinion": "材料需补正", "items": "食品经营许可申请书：申请书未加盖公章",
                "expected_version": case.log_length})
    case.refresh_from_db()
    notice = case.documents.get(template="correction_notice")
    assert case.state == "correcting" and notice.context["items"] == ["食品经营许可申请书：申请书未加盖公章"]


def test_a_refused_check_comes_back_with_its_message_beside_the_material(demo, item, frozen):
    case = submit(demo, item)
    material = case.materials.get(key="application")
    response = client(demo.clerk).post(f"/cases/{case.number}/materials/{material.pk}/check/",
                                       {"subject": "file", "verdict": "needs_correction", "reason": ""})
    assert response.status_code == 400
    assert "标记需补正时请写明理由" in response.content.decode()
    assert not MaterialCheck.objects.exists()


def test_paper_originals_are_ticked_off_at_the_window(demo, item, frozen):
    case = submit(demo, item, materials=[services.MaterialInput("application", "申请书.pdf", factories.PDF,
                                                                paper=True)])
    case = act(demo.clerk, case, opinion="予以受理")
    material = case.materials.get(key="application")
    page = client(demo.clerk).get(f"/cases/{case.number}/").content.decode()
    assert "记录纸质原件核对" in page
    services.material_check(actor=demo.clerk, case=case, material=material, verdict="passed", subject="original")
    assert LogEntry.objects.filter(case=case, kind="material_checked",
                                   summary="纸质原件核对：“食品经营许可申请书”合格").exists()
