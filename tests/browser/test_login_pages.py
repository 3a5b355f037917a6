"""First page tests in a real browser: a clerk and an applicant log in and see their homes."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def district(transactional_db):
    from core.demo import run_demo_loaders

    run_demo_loaders(lambda _msg: None)


def test_clerk_logs_in_and_sees_the_workbench_in_chinese(district, login):
    page = login("clerk")
    assert page.url.endswith("/workbench/")
    assert page.get_by_role("heading", name="工作台").is_visible()
    assert page.get_by_text("窗口受理员 · 江滨区行政审批服务局").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_applicant_logs_in_and_sees_the_service_hall_in_chinese(district, login):
    page = login("zhangsan")
    assert page.url.endswith("/hall/")
    assert page.get_by_role("heading", name="网上办事大厅").is_visible()
    assert page.get_by_text("您好，张三！").is_visible()


def test_wrong_password_keeps_the_user_on_the_login_page_with_a_message(district, login):
    page = login("clerk", "not-the-password")
    assert page.url.endswith("/accounts/login/")
    assert page.get_by_role("alert").inner_text().startswith("请输入一个正确的用户名和密码")
    assert page.get_by_label("用户名").input_value() == "clerk"


def test_logout_from_the_header(district, login):
    page = login("handler")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_text("您已安全退出。").is_visible()
