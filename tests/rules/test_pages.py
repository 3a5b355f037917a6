"""The 规则试算 page: staff only, server-rendered, its own JavaScript, and it works in a browser."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_staff_see_the_test_run_page_with_the_palette_and_the_facts(client, editor):
    client.force_login(editor)
    response = client.get("/rules/try/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>规则试算</h1>" in html
    assert "add_working_days" in html and "加工作日" in html
    assert "case.working_days_left" in html and "剩余工作日" in html
    assert "rules/try.js" in html and "http://" not in html and "https://" not in html  # no CDN


def test_the_page_is_for_staff_only(client, applicant_user):
    assert client.get("/rules/try/").url.startswith("/accounts/login/")
    client.force_login(applicant_user)
    assert client.get("/rules/try/").status_code == 403


def test_the_widget_script_and_style_are_served_by_the_platform():
    assert finders.find("rules/try.js") and finders.find("rules/try.css")


@pytest.mark.browser
def test_an_administrator_runs_a_rule_and_sees_each_step(page, live_server, login, transactional_db):
    from accounts.models import User

    User.objects.create_user(username="rule-admin", password="Demo#2026", kind=User.Kind.STAFF, full_name="王立法")
    login("rule-admin")
    page.goto("/rules/try/")
    page.get_by_label("规则").fill('{"and": [{">": [{"var": "case.working_days_left"}, 2]}, {"var": "case.suspended"}]}')
    page.get_by_label("样例数据").fill('{"case": {"working_days_left": 5, "suspended": false}}')
    page.get_by_role("button", name="试算").click()
    page.wait_for_selector("#outcome:not([hidden])")
    assert page.locator("#outcome-summary").inner_text() == "结果：false"
    tree = page.locator("#outcome-tree").inner_text()
    assert "> 大于" in tree and "true" in tree and "var 取变量" in tree
    # a bad rule shows the message next to the node it concerns
    page.get_by_label("规则").fill('{"and": [true, {"method": ["x", "upper"]}]}')
    page.get_by_role("button", name="试算").click()
    page.wait_for_selector(".rule-node-error")
    assert "不支持的运算“method”" in page.locator("#outcome-tree").inner_text()
