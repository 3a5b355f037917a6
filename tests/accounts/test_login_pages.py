"""Login, landing pages, logout, throttling and the admin, as a user meets them."""

import pytest

pytestmark = pytest.mark.django_db
PASSWORD = "Demo#2026"


def login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password}, follow=True)


def test_login_page_is_in_chinese(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "用户登录" in html and "用户名" in html and "密码" in html
    assert response["Content-Language"] == "zh-hans"


def test_an_english_browser_still_gets_chinese_by_default(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "用户登录" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_staff_land_on_the_workbench_and_applicants_in_the_service_hall(client, demo):
    response = login(client, "clerk")
    assert response.redirect_chain[-1][0] == "/workbench/"
    html = response.content.decode()
    assert "工作台" in html and "窗口受理员 · 江滨区行政审批服务局" in html
    assert 'href="/supervision/inbox/"' in html  # every staff member reaches their supervision notices
    client.post("/accounts/logout/")
    response = login(client, "company")
    assert response.redirect_chain[-1][0] == "/hall/"
    html = response.content.decode()
    assert "网上办事大厅" in html and "91330106MA2H3K7L08" in html


def test_each_side_is_kept_to_its_own_home(client, demo):
    client.force_login(demo.zhangsan)
    assert client.get("/workbench/").url == "/hall/"
    client.force_login(demo.handler)
    assert client.get("/hall/").url == "/workbench/"


def test_wrong_password_shows_a_chinese_message_and_keeps_the_username(client, demo):
    response = login(client, "clerk", "wrong-password")
    html = response.content.decode()
    assert "请输入一个正确的用户名和密码" in html
    assert 'value="clerk"' in html


def test_failed_logins_are_throttled(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "handler", "wrong-password")
    locked = login(client, "handler", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_asks_then_logs_out_with_a_chinese_message(client, demo):
    client.force_login(demo.clerk)
    assert "确定要退出当前账户吗" in client.get("/accounts/logout/").content.decode()
    response = client.post("/accounts/logout/", follow=True)
    assert "您已安全退出。" in response.content.decode()
    assert client.get("/workbench/").status_code == 302


def test_admin_is_for_system_administrators_only(client, demo):
    client.force_login(demo.admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/department/").status_code == 200
    client.force_login(demo.leader)
    assert client.get("/admin/").status_code == 302  # sent to the admin login


def test_anonymous_users_are_sent_to_login(client):
    assert client.get("/").url == "/hall/"  # the public service hall
    for page in ("/workbench/", "/designer/", "/supervision/"):
        assert client.get(page).url.startswith("/accounts/login/"), page
    assert client.get("/api/v1/me/").status_code == 403


def test_records_kept_by_services_are_read_only_in_the_admin(client, demo):
    client.force_login(demo.admin)
    for model in ("designer/approvalitem", "designer/itemversion", "supervision/exchangebatch"):
        assert client.get(f"/admin/{model}/").status_code == 200, model
        assert client.get(f"/admin/{model}/add/").status_code == 403, model
    assert client.get("/admin/designer/certificatetype/add/").status_code == 200  # reference data stays editable
