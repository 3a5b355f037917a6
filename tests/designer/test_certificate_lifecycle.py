"""The certificate lifecycle as data: each stage's ``certificate_action`` and the item's
particulars, refused by path when inconsistent, and set on the stages page (新发 / 延续 / 变更 /
注销 / 补领 with a window before expiry)."""

from __future__ import annotations

import copy

import pytest

from designer.certificate_operations import certificate_operations
from designer.models import ApprovalItem
from designer.validation import definition_problems

pytestmark = pytest.mark.django_db

STAGED = "/designer/items/JB-WJ-XK-0001"
STAGE = {"name": "延续", "legal_basis": "《公共场所卫生管理条例实施细则》第二十五条", "statutory_limit_days": 20,
         "promised_limit_days": 5, "fees": "不收费"}


@pytest.fixture
def hygiene(demo) -> dict:
    return copy.deepcopy(ApprovalItem.objects.get(code="JB-WJ-XK-0001").definition)


def test_the_demo_declares_issue_change_renew_and_cancel(hygiene):
    assert [(s["name"], s["certificate_action"]["operation"]) for s in hygiene["stages"]] == [
        ("新办", "issue"), ("变更", "change"), ("延续", "renew"), ("注销", "cancel")]
    assert dict(definition_problems(hygiene)) == {}


def test_the_runtime_does_what_the_designer_declares():
    from runtime.certificates import certificate_behaviours

    assert sorted(certificate_behaviours.keys()) == sorted(certificate_operations.keys())


def test_acting_on_a_certificate_needs_the_items_certificate_type(hygiene):
    hygiene["public"]["certificate"]["certificate_type"] = None
    problems = dict(definition_problems(hygiene))
    assert problems["$.stages[1].certificate_action.operation"] == [
        "“变更”须先在公开信息中指定证照类型（申请人从本人该类型的有效证照中选择）"]
    hygiene["public"]["certificate"]["name"] = ""  # an item that issues nothing
    problems = dict(definition_problems(hygiene))
    assert problems["$.stages[3].certificate_action.operation"] == ["本事项不颁发证照，不能设定“注销”"]
    assert problems["$.public.certificate.particulars"] == ["本事项不颁发证照，不能设定证照事项"]


def test_an_inconsistent_window_is_refused_at_its_path(hygiene):
    hygiene["stages"][0]["certificate_action"] = {
        "operation": "issue", "window": {"opens_days_before_expiry": 90, "closes_days_before_expiry": 30}}
    hygiene["stages"][2]["certificate_action"]["window"] = {"opens_days_before_expiry": 30,
                                                            "closes_days_before_expiry": 90}
    problems = dict(definition_problems(hygiene))
    assert problems["$.stages[0].certificate_action.window"] == ["“新发”没有所涉证照的到期日，不能设定申请期间"]
    assert problems["$.stages[2].certificate_action.window.closes_days_before_expiry"] == [
        "申请期间应自到期前30日起，截止日不能早于起始日（到期前90日）"]


def test_a_long_term_certificate_cannot_be_renewed(hygiene):
    from designer.models import CertificateType

    CertificateType.objects.filter(code="PUBLIC-HYGIENE").update(validity_months=None)
    problems = dict(definition_problems(hygiene))
    assert problems["$.stages[2].certificate_action.operation"] == ["证照类型“公共场所卫生许可证”长期有效，不能“延续”"]
    assert "$.stages[2].certificate_action.window" in problems


def test_particulars_name_form_fields_or_decision_fields_of_the_issuing_stage(hygiene):
    particulars = hygiene["public"]["certificate"]["particulars"]
    particulars[0]["path"] = "no_such_field"
    particulars[5]["path"] = "decision.review.capacity"  # the review step decides nothing
    particulars.append({"label": "从业人员", "path": "staff"})  # a table prints on no certificate
    particulars.append({"label": "单位名称", "path": "unit_name"})
    problems = dict(definition_problems(hygiene))
    assert problems["$.public.certificate.particulars[0].path"] == [
        "“no_such_field”不是阶段“新办”申请表中的字段或办理步骤的决定事项（决定事项写作 decision.步骤编号.字段名）"]
    assert "$.public.certificate.particulars[5].path" in problems
    assert "$.public.certificate.particulars[6].path" in problems
    assert problems["$.public.certificate.particulars[7].label"] == ["证照事项“单位名称”重复"]


def test_a_staged_item_sets_operations_per_stage(hygiene):
    hygiene["certificate_action"] = {"operation": "renew"}
    assert dict(definition_problems(hygiene))["$.certificate_action"] == ["分阶段的事项，证照操作在各阶段中分别设定"]


def test_the_stages_page_sets_the_operation_and_window(client, demo):
    client.force_login(demo.multi)  # item editor of 卫生健康局
    page = client.get(f"{STAGED}/stages/").content.decode()
    assert "延续（到期前90至30日可申请）" in page and "注销" in page
    form = client.get(f"{STAGED}/stages/", {"stage": "03"}).content.decode()
    for label in ("新发", "延续", "变更", "注销", "补领"):
        assert f">{label}</option>" in form
    response = client.post(f"{STAGED}/stages/?stage=03", {"op": "edit", **STAGE, "certificate_operation": "renew",
                                                          "window_opens": 60, "window_closes": 10})
    assert response.status_code == 302
    stage = ApprovalItem.objects.get(code="JB-WJ-XK-0001").definition["stages"][2]
    assert stage["certificate_action"] == {"operation": "renew", "window": {"opens_days_before_expiry": 60,
                                                                            "closes_days_before_expiry": 10}}
    # a window on the stage that issues is refused at its path, and nothing is saved
    response = client.post(f"{STAGED}/stages/?stage=01", {"op": "edit", **STAGE, "name": "新办",
                                                          "certificate_operation": "issue",
                                                          "window_opens": 60, "window_closes": 10})
    assert "$.stages[0].certificate_action.window" in response.content.decode()
    assert "window" not in ApprovalItem.objects.get(code="JB-WJ-XK-0001").definition["stages"][0]["certificate_action"]
    # one end of the window alone is refused by the form
    response = client.post(f"{STAGED}/stages/?stage=03", {"op": "edit", **STAGE, "certificate_operation": "renew",
                                                          "window_opens": 60})
    assert "可申请期间须同时填写起止天数，或都留空" in response.content.decode()
