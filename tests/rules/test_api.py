"""The rules API: validate and test-run rules over HTTP, always in the platform's error shape."""

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

FORM = {"type": "object", "properties": {"area": {"type": "number", "title": "面积"}}}


@pytest.fixture
def staff(editor):
    client = APIClient()
    client.force_login(editor)
    return client


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def assert_error_shape(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def test_a_valid_rule_is_accepted(staff):
    response = post(staff, "/api/v1/rules/validate/", {"rule": {">": [{"var": "area"}, 100]}, "schema": FORM})
    assert response.status_code == 200
    assert response.json() == {"valid": True}


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        ({"frobnicate": [1]}, "$.frobnicate", "不支持的运算“frobnicate”"),
        ({"method": [{"var": "area"}, "__class__"]}, "$.method", "不支持的运算“method”"),
        ({"log": ["x"]}, "$.log", "不支持的运算“log”"),
        ({"==": [1]}, "$.==", "“==”（等于）需要2 个参数，写了 1 个"),
        ({">": [{"var": "aera"}, 1]}, "$.>[0].var", "变量“aera”不存在"),
        ({"+": [{"var": "area"}, "10"]}, "$.+[1]", "这里需要数字，但写的是文本"),
    ],
    ids=["unknown", "method", "log", "arity", "variable", "text-for-number"],
)
def test_a_bad_rule_is_refused_with_the_path_named(staff, rule, path, message):
    body = assert_error_shape(post(staff, "/api/v1/rules/validate/", {"rule": rule, "schema": FORM}), 400, "rule_invalid")
    assert body["details"] == {path: [message]}


def test_a_rule_nested_10000_deep_is_a_400_not_a_500(staff):
    text = '{"rule": ' + '{"!": ' * 10_000 + "true" + "}" * 10_000 + "}"
    response = staff.post("/api/v1/rules/validate/", text, content_type="application/json")
    body = assert_error_shape(response, 400, "rule_invalid")
    assert body["details"] == {"$": ["规则嵌套过深：超过 40 层，请简化"]}


def test_a_rule_nested_500_deep_parses_and_is_refused_at_the_depth_limit(staff):
    rule = True
    for _ in range(500):
        rule = {"!": rule}
    body = assert_error_shape(post(staff, "/api/v1/rules/validate/", {"rule": rule}), 400, "rule_invalid")
    ((path, messages),) = body["details"].items()
    assert path.startswith("$.!.!.!") and messages == ["规则嵌套过深：超过 40 层，请简化"]


def test_a_5_mb_rule_is_a_400_naming_the_rule(staff):
    rule = {"in": [{"var": "area"}, list(range(700_000))]}
    text = json.dumps({"rule": rule})
    assert len(text) > 5_000_000
    response = staff.post("/api/v1/rules/validate/", text, content_type="application/json")
    body = assert_error_shape(response, 400, "rule_invalid")
    assert body["details"] == {"$": ["规则过大：超过 5000 个节点，请拆分或简化"]}


def test_a_body_beyond_the_limit_is_refused_before_parsing(staff):
    text = json.dumps({"rule": "x" * (9 * 1024 * 1024)})
    assert_error_shape(staff.post("/api/v1/rules/validate/", text, content_type="application/json"),
                       413, "request_too_large")


def test_broken_json_is_a_400_in_the_platform_shape(staff):
    response = staff.post("/api/v1/rules/validate/", '{"rule": ', content_type="application/json")
    assert_error_shape(response, 400, "parse_error")


def test_a_test_run_shows_the_result_and_every_step(staff):
    rule = {"and": [{">": [{"var": "area"}, 100]}, {"==": [{"var": "case.channel"}, "online"]}]}
    response = post(staff, "/api/v1/rules/try/",
                    {"rule": rule, "schema": FORM, "data": {"area": 120, "case": {"channel": "online"}}})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["result"] is True and body["error"] is None
    assert [step["path"] for step in body["steps"]] == [
        "$.and[0].>[0].var", "$.and[0].>", "$.and[1].==[0].var", "$.and[1].==", "$.and"]
    assert body["steps"][1] == {"path": "$.and[0].>", "op": ">", "label": "大于", "value": True}


def test_a_test_run_that_fails_at_run_time_reports_the_error_as_its_result(staff):
    response = post(staff, "/api/v1/rules/try/",
                    {"rule": {">": [{"var": "area"}, 1]}, "schema": FORM, "data": {"area": "大"}})
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert body["error"] == {"code": "rule_evaluation_error", "message": "规则计算出错：$.> 无法比较大小：文本“大”与数字“1”",
                             "details": {"$.>": ["无法比较大小：文本“大”与数字“1”"]}}


def test_a_test_run_can_fix_today(staff):
    body = post(staff, "/api/v1/rules/try/", {"rule": {"today": []}, "today": "2026-10-01"}).json()
    assert body["result"] == "2026-10-01"


def test_a_test_run_of_an_invalid_rule_is_a_400(staff):
    response = post(staff, "/api/v1/rules/try/", {"rule": {"method": ["a", "upper"]}, "data": {}})
    assert assert_error_shape(response, 400, "rule_invalid")["details"] == {"$.method": ["不支持的运算“method”"]}


def test_the_schema_must_be_an_object(staff):
    body = assert_error_shape(post(staff, "/api/v1/rules/validate/", {"rule": True, "schema": []}), 400, "invalid")
    assert body["details"] == {"schema": ["表单 JSON Schema 必须是对象"]}


def test_the_palettes_list_operations_facts_and_a_forms_variables(staff):
    operations = staff.get("/api/v1/rules/operations/").json()
    names = [op["name"] for op in operations]
    assert "add_working_days" in names and "method" not in names and "log" not in names
    facts = {f["name"]: f for f in staff.get("/api/v1/rules/facts/").json()}
    assert facts["case.channel"]["choices"] == ["online", "window"]
    variables = post(staff, "/api/v1/rules/variables/", {"schema": FORM}).json()
    assert variables == [{"name": "area", "type": "number", "type_label": "数字", "label": "面积", "choices": [],
                          "description": ""}]


def test_only_staff_may_use_the_rules_api(applicant_user):
    client = APIClient()
    assert_error_shape(post(client, "/api/v1/rules/validate/", {"rule": True}), 403, "not_authenticated")
    client.force_login(applicant_user)
    body = assert_error_shape(post(client, "/api/v1/rules/try/", {"rule": True}), 403, "permission_denied")
    assert body["message"] == "只有工作人员可以使用规则工具"
    assert client.get("/api/v1/rules/operations/").status_code == 403
