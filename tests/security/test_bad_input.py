"""Bad input is a 400 naming the field, never a 500 (issue 12, finding 7): a NUL byte in any text
(URL, query string, form post, JSON body), NaN / Infinity / 1e400 in JSON and in JSON-schema form
data, JSON nested 10 000 deep, a JSON array where an object is expected, and a non-numeric id in a
URL (a 404, as every ``<int:…>`` path answers). Pages answer with the 400 page, the API with its
error shape; nothing is saved."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from runtime.models import Case

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "不能包含空字符（\\u0000）"
NOT_FINITE = "数值无效：不接受 NaN、Infinity 或超出范围的数"


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def browser(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def post_json(client, url, text: str):
    return client.post(url, text, content_type="application/json")


def api_error(response, status=400) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    return body


# --- NUL in URLs, query strings and form posts (pages and API) ----------------------------------

@pytest.mark.parametrize("url", ["/hall/?q=%00", "/hall/?q=%E9%A3%9F%00", "/progress/?number=%00&code=1"])
def test_a_nul_in_a_query_string_is_the_400_page_naming_the_field(db, url):
    response = browser().get(url)
    body = response.content.decode()
    assert response.status_code == 400
    assert "提交的内容有误" in body and NUL_MESSAGE in body
    field = url.split("?")[1].split("=")[0]
    assert f"<strong>{field}</strong>" in body
    assert "网上审批及电子监察平台" in body and "操作指南" in body  # the site's layout


def test_a_nul_in_a_staff_search_is_refused_the_same_way(demo):
    response = browser(demo.clerk).get("/workbench/?q=%00")
    assert response.status_code == 400 and NUL_MESSAGE in response.content.decode()
    assert demo.clerk.display_name in response.content.decode()  # the person is still shown as logged in


def test_a_nul_in_a_form_post_is_refused_and_nothing_is_saved(demo, item, frozen):
    response = browser(demo.zhangsan).post(f"/hall/items/{item.code}/apply/", {
        "company": "江滨\x00餐饮", "address": "江滨区美食街5号", "business": "热食类食品制售", "amount": "800"})
    assert response.status_code == 400
    assert "<strong>company</strong>" in response.content.decode()
    assert not Case.objects.exists()


def test_a_nul_in_a_login_form_is_refused(db):
    response = browser().post("/accounts/login/", {"username": "clerk\x00", "password": "x"})
    assert response.status_code == 400 and "<strong>username</strong>" in response.content.decode()


def test_a_nul_in_a_url_is_refused_naming_the_url(demo):
    response = browser(demo.clerk).get("/cases/%00/")
    assert response.status_code == 400 and "<strong>网址</strong>" in response.content.decode()


def test_a_nul_in_an_api_query_string_is_the_api_error_naming_the_field(db):
    body = api_error(browser().get("/api/v1/catalogue/?search=a%00"))
    assert body["code"] == "invalid" and body["details"] == {"search": [NUL_MESSAGE]}
    assert "search" in body["message"]
    body = api_error(browser().get("/api/v1/progress/?number=%00&code=123456"))
    assert body["details"] == {"number": [NUL_MESSAGE]}


# --- JSON bodies ----------------------------------------------------------------------------------

def test_a_nul_in_a_json_body_names_its_path(demo):
    text = '{"rule": {"==": [{"var": "name"}, "x"]}, "data": {"name": "a\\u0000b"}}'
    body = api_error(post_json(browser(demo.clerk), "/api/v1/rules/try/", text))
    assert body["details"] == {"data.name": [NUL_MESSAGE]}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_a_number_that_is_not_finite_in_json_names_its_path(demo, number):
    text = '{"rule": {">": [{"var": "area"}, 1]}, "data": {"area": ' + number + "}}"
    body = api_error(post_json(browser(demo.clerk), "/api/v1/rules/try/", text))
    assert body["code"] == "invalid" and body["details"] == {"data.area": [NOT_FINITE]}
    assert "data.area" in body["message"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400"])
def test_a_number_that_is_not_finite_in_form_data_is_refused_and_nothing_saved(demo, item, frozen, number):
    text = (f'{{"item": "{item.code}", "form_data": {{"company": "甲", "address": "乙", '
            f'"business": "热食类食品制售", "amount": {number}}}}}')
    body = api_error(post_json(browser(demo.zhangsan), "/api/v1/cases/", text))
    assert body["details"] == {"form_data.amount": [NOT_FINITE]}
    assert not Case.objects.exists()


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400"])
def test_a_number_that_is_not_finite_in_a_form_page_is_the_fields_error(demo, item, frozen, number):
    response = browser(demo.zhangsan).post(f"/hall/items/{item.code}/apply/", {
        "company": "甲", "address": "乙", "business": "热食类食品制售", "amount": number})
    assert response.status_code == 400 and f'value="{number}"' in response.content.decode()
    assert not Case.objects.exists()


def test_json_nested_10000_deep_is_refused_naming_the_field(demo, item):
    text = f'{{"item": "{item.code}", "form_data": ' + '{"a": ' * 10_000 + "1" + "}" * 10_001
    body = api_error(post_json(browser(demo.clerk), "/api/v1/intake/", text))
    ((path, messages),) = body["details"].items()
    assert path.startswith("form_data.a.a.a") and messages == ["嵌套过深：超过 100 层"]
    assert body["message"].startswith("提交的数据有误：form_data.a.a.a…")


def test_json_nested_beyond_the_limit_but_parseable_is_refused_too(demo, item):
    text = f'{{"item": "{item.code}", "form_data": {{"rows": ' + "[" * 150 + "]" * 150 + "}}"
    body = api_error(post_json(browser(demo.clerk), "/api/v1/intake/", text))
    ((path, messages),) = body["details"].items()
    assert path.startswith("form_data.rows.0.0") and messages == ["嵌套过深：超过 100 层"]


@pytest.mark.parametrize(("url", "who"), [("/api/v1/intake/", "clerk"), ("/api/v1/cases/", "zhangsan"),
                                          ("/api/v1/rules/try/", "clerk"), ("/api/v1/designer/validate/", "editor"),
                                          ("/api/v1/departments/", "admin")])
def test_a_json_array_where_an_object_is_expected_is_a_400(demo, url, who):
    body = api_error(post_json(browser(getattr(demo, who)), url, "[1, 2]"))
    assert body["details"] == {"$": ["应为 JSON 对象（{…}），收到数组"]}


def test_an_array_inside_where_an_object_is_expected_names_the_field(demo, item):
    body = api_error(post_json(browser(demo.clerk), "/api/v1/intake/",
                               json.dumps({"item": item.code, "applicant": [], "form_data": {}})))
    assert any(path.startswith("applicant") for path in body["details"])


def test_broken_json_is_a_parse_error_in_chinese(demo):
    body = api_error(post_json(browser(demo.clerk), "/api/v1/rules/try/", '{"rule": '))
    assert body["code"] == "parse_error" and body["message"].startswith("JSON 格式有误：第 1 行")


# --- ids in URLs and bodies -------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/tasks/abc/act/", "/api/v1/tasks/1e5/act/", "/api/v1/extensions/abc/decide/",
                                 "/api/v1/departments/abc/", "/api/v1/windows/%C2%B2/"])
def test_a_non_numeric_id_in_an_api_url_is_a_404_in_the_api_shape(demo, url):
    client = browser(demo.admin)
    response = client.post(url, "{}", content_type="application/json") if url.endswith(("act/", "decide/")) \
        else client.get(url)
    assert api_error(response, 404)["code"] == "not_found"


@pytest.mark.parametrize("url", ["/supervision/orders/abc/reply/", "/hall/notices/abc/",
                                 "/supervision/complaints/12x/assign/"])
def test_a_non_numeric_id_in_a_page_url_is_the_404_page(demo, url):
    response = browser(demo.supervisor).post(url) if "reply" in url or "assign" in url else browser().get(url)
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_a_non_numeric_applicant_id_in_a_body_names_the_field(demo, item):
    body = api_error(post_json(browser(demo.clerk), "/api/v1/cases/",
                               json.dumps({"item": item.code, "channel": "window", "applicant": "abc"})))
    assert body["details"] == {"applicant": ["应为申请人编号（数字）"]}
