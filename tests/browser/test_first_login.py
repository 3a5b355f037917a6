"""A new clerk from the staff sheet logs in with the slip's password, must change it, and lands
on the workbench with the first-login tour."""

import io

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slip(transactional_db):
    """The demo district and a clerk imported from a sheet; the password as the slip prints it."""
    from pypdf import PdfReader

    from accounts.imports import staff
    from accounts.models import User
    from accounts.slips import slips_pdf
    from core.demo import run_demo_loaders
    from tests.accounts.test_sheet_imports import NEW_CLERK, STAFF_HEADER, xlsx

    run_demo_loaders(lambda _msg: None)
    result = staff.staff_import(actor=User.objects.get(username="admin"), content=xlsx(STAFF_HEADER, NEW_CLERK))
    text = PdfReader(io.BytesIO(slips_pdf(result.passwords, login_url="/accounts/login/"))).pages[0].extract_text()
    password = result.passwords[0].password
    assert "用户名：wangxiao" in text and password in text
    return password


def test_a_new_clerk_changes_the_initial_password_and_lands_on_the_workbench(slip, login):
    page = login("wangxiao", slip)
    assert page.url.endswith("/accounts/password/")
    assert page.get_by_text("您正在使用初始密码登录").is_visible()
    page.goto("/workbench/intake/")  # nothing else opens before the change
    assert page.url.endswith("/accounts/password/")

    page.get_by_label("原密码").fill(slip)
    page.get_by_label("新密码", exact=True).fill("12345678")
    page.get_by_label("再次输入新密码").fill("12345678")
    page.get_by_role("button", name="保存新密码").click()
    assert page.get_by_text("密码不能全部是数字").is_visible()

    page.get_by_label("原密码").fill(slip)
    page.get_by_label("新密码", exact=True).fill("Jiangbin#2027x")
    page.get_by_label("再次输入新密码").fill("Jiangbin#2027x")
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url("**/workbench/")
    assert page.get_by_role("heading", name="工作台").is_visible()
    assert page.get_by_text("窗口受理员 · 江滨区行政审批服务局").is_visible()
    assert page.get_by_role("heading", name="欢迎使用网上审批及电子监察平台").is_visible()
    page.get_by_role("button", name="知道了，不再显示").click()
    page.wait_for_url("**/workbench/")
    assert page.get_by_role("heading", name="欢迎使用网上审批及电子监察平台").count() == 0

    page.get_by_role("button", name="退出").click()
    page = login("wangxiao", "Jiangbin#2027x")
    assert page.url.endswith("/workbench/")
