"""Item guide, online application (draft autosave, server-side checks keeping what was typed,
conditional materials, receipt at once) and window intake pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Applicant
from runtime.models import Case, CaseState, Channel, Draft

from . import factories

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name="申请书.pdf", content=factories.PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_guide_shows_public_elements_materials_and_flowchart(demo, item):
    page = browser(demo.zhangsan).get(f"/hall/items/{item.code}/").content.decode()
    for text in ("《中华人民共和国食品安全法》第三十五条", "江滨区解放路88号", "不收费", "食品经营许可申请书",
                 "视申请情况提交", 'class="flowchart"', "在线申请", "0571-86007890"):
        assert text in page, text
    assert f"/hall/items/{item.code}/" in browser(demo.zhangsan).get("/hall/").content.decode()


def _flowchart(code: str) -> str:
    page = Client().get(f"/hall/items/{code}/").content.decode()
    return page[page.index('class="flowchart"'):]


def test_guide_flowchart_reads_in_words_for_applicants(demo):
    """The guide draws the workflow as the editor lays it out, conditions in the builder's words."""
    chart = _flowchart("JB-SCJG-XK-0001")
    assert "仅销售预包装食品，免于现场核查" in chart
    assert "经营项目不包含“散装食品销售”，并且经营项目不包含“热食类食品制售”" in chart
    assert "var" not in chart and "{" not in chart.split("</div>", 1)[0]
    assert "可退回到：" in chart and "窗口受理员 · 江滨区行政审批服务局" in chart


def test_a_condition_the_builder_cannot_show_reads_as_a_plain_phrase_never_json(demo):
    workflow = factories.sequential_workflow()
    review = next(s for s in workflow["steps"] if s["key"] == "review")
    review["transitions"][0] = {"to": "leader_review", "label": "金额较大的报分管领导",
                                "when": {">": [{"+": [{"var": "amount"}, 0]}, 1000]}}
    factories.publish(factories.definition("JB-SCJG-XK-0005", name="条件较复杂的事项", workflow=workflow))
    chart = _flowchart("JB-SCJG-XK-0005")
    assert "金额较大的报分管领导" in chart and "当符合本事项规定的条件" in chart
    assert "var" not in chart and '"+"' not in chart


def test_guide_lists_downloads_and_never_shows_confidential_items(demo):
    doc = factories.definition("JB-SCJG-XK-0003", name="带下载的事项")
    doc["public"]["downloads"] = [{"name": "申请书样表", "url": "/static/forms/sample.pdf"}]
    shown = factories.publish(doc)
    assert "申请书样表" in browser(demo.zhangsan).get(f"/hall/items/{shown.code}/").content.decode()
    secret = factories.publish(factories.definition("JB-SCJG-XK-0004", name="保密事项", confidential=True))
    assert browser(demo.zhangsan).get(f"/hall/items/{secret.code}/").status_code == 404
    assert browser(demo.zhangsan).get(f"/hall/items/{secret.code}/apply/").status_code == 404


def test_visitors_browse_the_hall_and_read_guides_without_logging_in(demo, item):
    """公开原则: the catalogue and the guides are public; applying needs an applicant's login."""
    visitor = Client()
    hall = visitor.get("/", follow=True)
    assert hall.redirect_chain[-1][0] == "/hall/"
    page = hall.content.decode()
    assert f"/hall/items/{item.code}/" in page and "登录</a>后可在线申请" in page
    assert "<h2>我的办件</h2>" not in page  # nobody's cases
    assert item.code in visitor.get("/hall/", {"q": item.name[:4]}).content.decode()
    guide = visitor.get(f"/hall/items/{item.code}/").content.decode()
    assert "食品经营许可申请书" in guide and 'class="flowchart"' in guide
    assert "登录后在线申请" in guide and ">在线申请<" not in guide
    login = visitor.get(f"/hall/items/{item.code}/apply/")
    assert login.status_code == 302 and login.url.startswith("/accounts/login/")
    assert visitor.get("/workbench/").url.startswith("/accounts/login/")


def test_application_with_conditional_material_issues_receipt_at_once(demo, item, frozen):
    client = browser(demo.zhangsan)
    url = f"/hall/items/{item.code}/apply/"
    form_page = client.get(url).content.decode()
    assert 'name="company"' in form_page and 'name="material:vending"' in form_page
    post = {"company": "自动售货公司", "business": "自动售货设备", "machines": "3", "amount": "800",
            "material:application": pdf()}
    refused = client.post(url, post)
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "请提交“自动售货设备放置地点及许可证展示方式”" in body and 'value="自动售货公司"' in body
    assert not Case.objects.exists()
    post.update({"material:application": pdf(), "material:vending": pdf("地点.pdf")})
    response = client.post(url, post, follow=True)
    case = Case.objects.get()
    assert case.channel == Channel.ONLINE and case.form_data["machines"] == 3
    assert set(case.materials.values_list("key", flat=True)) == {"application", "vending"}
    receipt = case.documents.get(template="receipt")
    assert receipt.number in response.content.decode()
    download = client.get(f"/cases/{case.number}/documents/{receipt.number}.pdf")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert not Draft.objects.exists()  # submitted: the draft is gone


def test_wrong_input_is_refused_and_everything_typed_comes_back_escaped(demo, item, frozen):
    client = browser(demo.zhangsan)
    url = f"/hall/items/{item.code}/apply/"
    post = {"company": XSS, "address": XSS, "business": "热食类食品制售", "amount": "很多", "note": XSS,
            "material:application": pdf("病毒.pdf", factories.EXE)}
    response = client.post(url, post)
    body = response.content.decode()
    assert response.status_code == 400 and XSS not in body
    assert body.count("&lt;script&gt;") >= 3 and 'value="很多"' in body
    assert "类型不符合要求" in body and not Case.objects.exists()
    # what was typed is kept as the draft too, so it survives a closed browser
    assert Draft.objects.get().form_data["company"] == XSS
    assert "&lt;script&gt;" in client.get(url).content.decode()


def test_oversize_upload_is_refused(demo, item, frozen):
    big = factories.PDF + b"0" * (1024 * 1024)
    response = browser(demo.zhangsan).post(f"/hall/items/{item.code}/apply/", {
        "company": "甲", "business": "热食类食品制售", "amount": "800", "material:application": pdf(content=big)})
    assert response.status_code == 400 and "超过 1 MB" in response.content.decode()
    assert not Case.objects.exists()


def test_draft_autosave_survives_a_new_session(demo, item):
    client = browser(demo.zhangsan)
    saved = client.post(f"/hall/items/{item.code}/draft/", {"company": "半途公司", "amount": "12"})
    assert saved.status_code == 200 and "saved_at" in saved.json()
    assert Draft.objects.get().form_data == {"company": "半途公司", "amount": 12}
    page = browser(demo.zhangsan).get(f"/hall/items/{item.code}/apply/").content.decode()  # a new browser
    assert 'value="半途公司"' in page
    assert browser(demo.lisi).get(f"/hall/items/{item.code}/apply/").content.decode().count("半途公司") == 0
    assert browser(demo.clerk).post(f"/hall/items/{item.code}/draft/", {"company": "x"}).status_code == 400


def test_staff_cannot_apply_online(demo, item):
    response = browser(demo.clerk).get(f"/hall/items/{item.code}/apply/")
    assert response.status_code == 302


def test_window_intake_registers_a_new_applicant_and_issues_a_receipt(demo, item, frozen):
    clerk = browser(demo.clerk)
    assert item.code in clerk.get("/workbench/intake/").content.decode()
    assert "/workbench/intake/" in clerk.get("/workbench/").content.decode()
    url = f"/workbench/intake/{item.code}/"
    person = {"applicant.kind": "natural", "applicant.name": "王五", "applicant.identity_number": "11010519491231002X",
              "applicant.phone": "13800000000"}
    response = clerk.post(url, {**person, "company": "王五小吃店", "business": "热食类食品制售", "amount": "500",
                                "paper:application": "1"}, follow=True)
    case = Case.objects.get()
    assert case.channel == Channel.WINDOW and case.applicant.name == "王五" and case.received_by == demo.clerk
    assert case.state == CaseState.RECEIVED and case.materials.get().paper_original
    assert case.documents.get(template="receipt").number in response.content.decode()
    # the same person again: found by the identity number, not registered twice
    clerk.post(url, {**person, "company": "王五小吃店二店", "business": "热食类食品制售", "amount": "500",
                     "paper:application": "1"})
    assert Applicant.objects.filter(name="王五").count() == 1 and Case.objects.count() == 2


def test_window_intake_reports_every_problem_at_once_and_saves_nothing(demo, item, frozen):
    clerk = browser(demo.clerk)
    before = Applicant.objects.count()
    response = clerk.post(f"/workbench/intake/{item.code}/", {
        "applicant.kind": "natural", "applicant.name": "赵六", "applicant.identity_number": "123",
        "company": XSS, "business": "热食类食品制售"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "身份证号码" in body and "请提交“食品经营许可申请书”" in body and "&lt;script&gt;" in body
    assert 'value="赵六"' in body and XSS not in body
    assert Applicant.objects.count() == before and not Case.objects.exists()


def test_window_intake_is_for_window_clerks_only(demo, item):
    assert browser(demo.handler).get("/workbench/intake/").status_code == 403
    assert browser(demo.zhangsan).get(f"/workbench/intake/{item.code}/").status_code == 403
    assert "/workbench/intake/" not in browser(demo.handler).get("/workbench/").content.decode()
