"""Error pages (issue 13, "Error pages"): a 400, 403, 404, 500 and a CSRF failure each show a
Chinese page in the site's layout that says what happened and what to do, with DEBUG=False as in
production; the API keeps its JSON error shape for each."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LAYOUT = ("网上审批及电子监察平台", "操作指南", 'href="/static/css/platform.css"')


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def page(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert all(text in body for text in LAYOUT), "not in the site's layout"
    for english in ("Not Found", "Forbidden", "Bad Request", "Server Error", "CSRF verification failed"):
        assert english not in body
    return body


def api(response, status: int, code: str) -> dict:
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code
    return body


def test_404_says_the_page_does_not_exist_and_where_to_go(db):
    body = page(Client().get("/no-such-page/"), 404)
    assert "<title>页面不存在</title>" in body and "请检查网址是否完整" in body and 'href="/progress/"' in body
    assert "No " not in body  # Django's "No Case matches the given query." is never shown


def test_404_of_a_missing_case_shows_no_internal_text(demo):
    client = Client()
    client.force_login(demo.clerk)
    body = page(client.get("/cases/JB-NO-SUCH-CASE/"), 404)
    assert "页面不存在" in body and "matches" not in body


def test_403_says_who_to_contact_with_the_platforms_reason(demo):
    client = Client()
    client.force_login(demo.zhangsan)
    body = page(client.get("/supervision/"), 403)
    assert "<title>没有权限</title>" in body and "您没有权限打开此页面：只有效能办监察员可以查看电子监察" in body
    assert "请联系本单位的系统管理员" in body
    assert demo.zhangsan.display_name in body  # the header still shows who is logged in


def test_a_refusal_raised_inside_a_page_is_the_403_page_with_its_reason(demo, settings):
    """A service's ``AccessDenied`` that no view catches is Django's ``PermissionDenied`` too: the
    person gets the 403 page naming why, the API its JSON, never the 500 page."""
    settings.ROOT_URLCONF = "tests.security.error_urls"
    client = Client(raise_request_exception=False)
    client.force_login(demo.zhangsan)
    body = page(client.get("/refused/"), 403)
    assert "您没有权限打开此页面：只有法制办审核员可以发布事项" in body
    assert "系统出错" not in body
    assert api(client.get("/api/refused/"), 403, "permission_denied")["message"] == "只有法制办审核员可以发布事项"


def test_400_names_the_problem(db):
    body = page(Client().get("/hall/?q=%00"), 400)
    assert "<title>提交的内容有误</title>" in body and "请返回上一页" in body


def test_400_for_a_request_django_refuses_shows_no_internal_text(db):
    body = page(Client().get("/hall/", HTTP_HOST="evil.example"), 400)
    assert "提交的内容有误" in body and "ALLOWED_HOSTS" not in body and "evil.example" not in body


def test_500_apologises_and_says_nothing_was_saved(db, settings):
    settings.ROOT_URLCONF = "tests.security.error_urls"
    body = page(Client(raise_request_exception=False).get("/boom/"), 500)
    assert "<title>系统出错</title>" in body and "您的操作没有保存" in body and "请稍后返回上一页重试" in body
    assert "RuntimeError" not in body and "a fault in the code" not in body


def test_csrf_failure_says_the_page_expired_and_how_to_keep_what_was_typed(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.zhangsan)
    body = page(client.post("/accounts/logout/"), 403)
    assert "<title>页面已过期</title>" in body and "请返回刷新后重试" in body
    assert "复制" in body and "没有保存任何内容" in body


def test_the_api_keeps_json_for_each_error(demo, settings):
    settings.ROOT_URLCONF = "tests.security.error_urls"
    client = Client(raise_request_exception=False)
    api(client.get("/api/v1/no-such-endpoint/"), 404, "not_found")
    api(client.get("/api/v1/catalogue/?search=%00"), 400, "invalid")
    api(client.get("/api/v1/boom/"), 500, "server_error")
    client.force_login(demo.zhangsan)
    api(client.get("/api/v1/supervision/dashboard/"), 403, "permission_denied")
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(demo.clerk)
    body = api(csrf.post("/api/v1/rules/try/", "{}", content_type="application/json"), 403, "csrf_failed")
    assert body["message"] == "页面已过期（CSRF 校验失败），请刷新页面后重试"


def test_each_page_renders_without_a_request_context(db):
    """The 500 page is rendered with no context at all (whatever failed must not fail it too)."""
    from django.template import loader

    for name in ("400.html", "403.html", "404.html", "500.html", "403_csrf.html"):
        html = loader.get_template(name).render()
        assert "网上审批及电子监察平台" in html
