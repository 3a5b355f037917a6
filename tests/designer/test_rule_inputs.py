"""Every rule the designer writes goes through the condition builder's inputs: the text boxes
carry data-rule-input and the page the variables by Chinese title; department rules are rows of
“condition → department”; a rule neither can show is kept as it is when the step is saved."""

from __future__ import annotations

import html
import json
import re

import pytest

from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db
CODE = "JB-SCJG-XK-0001"


@pytest.fixture
def editor(client, demo):
    client.force_login(demo.editor)
    return client


def variables_on(page: str, block: str = "rule-variables") -> dict:
    found = re.search(rf'<script id="{block}" type="application/json">(.*?)</script>', page, re.S)
    return {v["name"]: v for v in json.loads(found.group(1))}


def test_rule_boxes_become_builders_with_the_rule_variables_by_chinese_title(editor):
    base = f"/designer/items/{CODE}/"
    for url, box in [(base + "form/?field=area", "edit-visible_if"), (base + "form/", "visible_if"),
                     (base + "materials/", "condition"), (base + "workflow/?step=examine", "t-0-when")]:
        page = editor.get(url).content.decode()
        assert re.search(rf'<textarea[^>]*data-rule-input[^>]*id="id_{box}"', page), url
        assert "rules/builder.js" in page
        variables = variables_on(page)
        assert variables["business_types"]["label"] == "经营项目"
        assert variables["business_types"]["choices"][0] == "预包装食品销售（含冷藏冷冻）"
        assert variables["case.channel"]["choice_labels"] == {"online": "网上申请", "window": "窗口申请"}
        assert variables["case.channel"]["section"] == "办件事实"
        assert not any("*" in name for name in variables)  # rows of tables are not offered


def test_a_transition_may_name_earlier_decisions_and_a_department_rule_not_its_own():
    from designer.selectors import rule_builder_variables

    doc = json.loads(open("fixtures/demo/items/JB-ZRZY-XK-0001.json", encoding="utf-8").read())["item"]
    stage = doc["stages"][0]
    leaving = {v["name"]: v for v in rule_builder_variables(doc, stage, step_key="check")}
    opening = {v["name"] for v in rule_builder_variables(doc, stage, step_key="check", including_step=False)}
    decision = next(name for name in leaving if name.startswith("decision.check."))
    assert leaving[decision]["section"] == "决定事项" and leaving[decision]["label"].startswith("规划条件符合性审查·")
    assert decision not in opening


def _step_post(step: dict, **extra) -> dict:
    data = {"op": "step", "name": step["name"], "key": step["key"], "type": step["type"], "role": step["role"],
            "department": step["department"], "limit_days": str(step["limit_days"]), "actions": step["actions"],
            "return_to": step.get("return_to", []),
            "t-TOTAL_FORMS": str(len(step["transitions"])), "t-INITIAL_FORMS": "0",
            "d-TOTAL_FORMS": "1", "d-INITIAL_FORMS": "0"}
    for i, t in enumerate(step["transitions"]):
        data[f"t-{i}-to"] = t["to"]
        data[f"t-{i}-label"] = t.get("label", "")
        data[f"t-{i}-when"] = json.dumps(t["when"], ensure_ascii=False) if "when" in t else ""
    data.update(extra)
    return data


def _step(key: str) -> dict:
    return next(s for s in ApprovalItem.objects.get(code=CODE).definition["workflow"]["steps"] if s["key"] == key)


def test_a_department_rule_is_written_as_rows_of_condition_and_department(editor):
    url = f"/designer/items/{CODE}/workflow/?step=inspect"
    rule = {"==": [{"var": "by_agent"}, "是"]}
    response = editor.post(url, _step_post(_step("inspect"), **{
        "d-0-when": json.dumps(rule, ensure_ascii=False), "d-0-department": "JB-WJ"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _step("inspect")["department_rule"] == {"if": [rule, "JB-WJ"]}
    page = editor.get(url).content.decode()
    assert 'id="id_d-0-when"' in page and "<option value=\"JB-WJ\" selected>" in page
    assert 'id="rule-variables-opening"' in page


def test_rules_the_rows_cannot_show_survive_saving_the_step_untouched(editor):
    from designer import services

    item = ApprovalItem.objects.get(code=CODE)
    doc = item.definition
    examine = next(s for s in doc["workflow"]["steps"] if s["key"] == "examine")
    examine["department_rule"] = {"if": [{"var": "by_agent"}, "JB-WJ", "JB-SCJG-SPXK"]}  # an else: not rows
    services.item_update(actor=_editor(), item=item, definition=doc)
    before = _step("examine")
    page = editor.get(f"/designer/items/{CODE}/workflow/?step=examine").content.decode()
    # shown as JSON under 高级, and posted back as the page holds it
    shown = html.unescape(re.search(r'<textarea name="department_rule"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    assert json.loads(shown) == before["department_rule"]
    response = editor.post(f"/designer/items/{CODE}/workflow/?step=examine", _step_post(before, department_rule=shown))
    assert response.status_code == 302, response.content.decode()[:3000]
    after = _step("examine")
    assert json.dumps(after["department_rule"], ensure_ascii=False) == json.dumps(before["department_rule"],
                                                                                 ensure_ascii=False)
    # the transition's `none` rule (outside the builder's grammar) went through its box unchanged
    assert json.dumps(after["transitions"], ensure_ascii=False) == json.dumps(before["transitions"], ensure_ascii=False)


def _editor():
    from accounts.models import User

    return User.objects.get(username="editor")


def test_an_anomaly_condition_is_written_with_the_builder_over_the_step_facts(editor):
    url = f"/designer/items/{CODE}/supervision/"
    page = editor.get(url).content.decode()
    variables = variables_on(page)
    assert set(variables) >= {"step.opinion", "step.action", "step.type", "step.used_days"}
    assert variables["step.action"]["choice_labels"]["approve"] == "通过"
    assert variables["step.type"]["choice_labels"]["handle"] == "承办"
    assert variables["step.key"]["choice_labels"]["examine"] == _step("examine")["name"]
    assert re.search(r'<textarea[^>]*data-rule-input[^>]*id="id_a-0-condition"', page)
    condition = {"and": [{"==": [{"var": "step.opinion"}, ""]}, {"==": [{"var": "step.action"}, "approve"]}]}
    cards = {f"{card}__limit": "promised" for card in ("warning", "yellow_card", "red_card")}
    response = editor.post(url, {**cards, "a-TOTAL_FORMS": "1", "a-INITIAL_FORMS": "0", "a-0-name": "未写意见即通过",
                                 "a-0-condition": json.dumps(condition, ensure_ascii=False)})
    assert response.status_code == 302, response.content.decode()[:3000]
    anomalies = ApprovalItem.objects.get(code=CODE).definition["supervision"]["anomalies"]
    assert anomalies == [{"key": "wei_xie_yi_jian_ji_tong_guo", "name": "未写意见即通过", "condition": condition}]
    page = editor.get(url).content.decode()
    assert "适用的异常条件：未写意见即通过" in page


def test_the_variables_endpoint_answers_what_a_rule_in_each_place_may_name(editor, demo):
    url = "/designer/items/JB-ZRZY-XK-0001/rule-variables/"
    from accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=demo.editor, role=Role.ITEM_EDITOR, department=demo.department("JB-ZRZY"))
    form = {v["name"] for v in editor.get(url, {"unit": "01"}).json()["variables"]}
    leaving = {v["name"] for v in editor.get(url, {"unit": "01", "for": "transition", "step": "check"}).json()["variables"]}
    opening = {v["name"] for v in editor.get(url, {"unit": "01", "for": "department_rule", "step": "check"}).json()["variables"]}
    anomaly = {v["name"] for v in editor.get(url, {"for": "anomaly"}).json()["variables"]}
    assert "case.channel" in form and not any(n.startswith("decision.") for n in form)
    assert any(n.startswith("decision.check.") for n in leaving) and opening < leaving
    assert "step.opinion" in anomaly and "case.received_on" not in anomaly
    refused = editor.get(url, {"for": "somewhere"})
    assert refused.status_code == 400 and refused.json()["details"]["for"]
    assert editor.get(url, {"unit": "01", "for": "transition", "step": "nowhere"}).status_code == 404
