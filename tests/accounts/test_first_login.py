"""An account opened with an initial password must set its own before anything else."""

from __future__ import annotations

import io

import pytest

from accounts.imports import staff
from tests.accounts.test_sheet_imports import NEW_CLERK, STAFF_HEADER, xlsx


def log_in(client, username, password):
    """Through the login page (axes needs the request)."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302
    return response


@pytest.fixture
def new_clerk(demo):
    result = staff.staff_import(actor=demo.admin, content=xlsx(STAFF_HEADER, NEW_CLERK))
    return result.passwords[0]


def test_every_page_sends_the_new_account_to_the_password_change_page(client, new_clerk):
    assert log_in(client, "wangxiao", new_clerk.password)["Location"] == "/"
    for path in ["/workbench/", "/designer/", "/hall/", "/guides/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    api = client.get("/api/v1/")
    assert api.status_code == 403 and api.json()["message"] == "首次登录须先修改初始密码"
    page = client.get("/accounts/password/").content.decode()
    assert "您正在使用初始密码登录" in page and "新密码" in page


@pytest.mark.parametrize(("new", "message"), [
    ("12345678", "密码不能全部是数字"),  # Django's validators, in Chinese
    ("abc", "密码太短，至少需要8个字符"),  # Django's own zh-hans text for this one is English
    ("wangxiao1", "密码与您的用户名或姓名太相近"),
])
def test_a_weak_new_password_is_refused_in_chinese_and_nothing_changes(client, new_clerk, new, message):
    log_in(client, "wangxiao", new_clerk.password)
    response = client.post("/accounts/password/", {"old_password": new_clerk.password, "new_password1": new,
                                                   "new_password2": new})
    assert response.status_code == 200 and message in response.content.decode()
    new_clerk.user.refresh_from_db()
    assert new_clerk.user.must_change_password and new_clerk.user.check_password(new_clerk.password)


def test_the_same_password_again_or_a_wrong_old_one_is_refused(client, new_clerk):
    log_in(client, "wangxiao", new_clerk.password)
    same = client.post("/accounts/password/", {"old_password": new_clerk.password,
                                               "new_password1": new_clerk.password, "new_password2": new_clerk.password})
    assert "新密码不能与原密码相同" in same.content.decode()
    wrong = client.post("/accounts/password/", {"old_password": "nope", "new_password1": "Jiangbin#2027x",
                                                "new_password2": "Jiangbin#2027x"})
    assert "原密码不正确" in wrong.content.decode()


def test_after_the_change_the_workbench_opens_with_the_first_login_tour_until_dismissed(client, new_clerk):
    log_in(client, "wangxiao", new_clerk.password)
    response = client.post("/accounts/password/", {"old_password": new_clerk.password,
                                                   "new_password1": "Jiangbin#2027x", "new_password2": "Jiangbin#2027x"})
    assert response.status_code == 302
    workbench = client.get("/workbench/", follow=True)
    assert workbench.redirect_chain == []  # still logged in: the session survived the change
    page = workbench.content.decode()
    assert "欢迎使用网上审批及电子监察平台" in page and "密码已修改" in page
    assert 'href="/guides/"' in page
    client.post("/accounts/tour/dismiss/")
    assert "欢迎使用网上审批及电子监察平台" not in client.get("/workbench/").content.decode()
    new_clerk.user.refresh_from_db()
    assert not new_clerk.user.must_change_password and new_clerk.user.check_password("Jiangbin#2027x")


def test_the_slips_carry_each_new_person_and_password(demo):
    from pypdf import PdfReader

    from accounts.slips import slips_pdf

    result = staff.staff_import(actor=demo.admin, content=xlsx(
        STAFF_HEADER, NEW_CLERK, ["liuke", "刘科", "", "JB-SCJG", "JB-SCJG-SPXK", "", "承办人"],
        ["zhaoke", "赵可", "", "JB-WJ", "JB-WJ-YZYG", "", "承办人"], ["qianyi", "钱一", "", "JB-ZJ", "", "", "部门事项编辑"]))
    per_person = PdfReader(io.BytesIO(slips_pdf(result.passwords, login_url="http://x/accounts/login/")))
    assert len(per_person.pages) == 2  # three slips to a page
    text = "".join(page.extract_text() for page in per_person.pages)
    for entry in result.passwords:
        assert entry.password in text and entry.user.username in text
    per_department = PdfReader(io.BytesIO(slips_pdf(result.passwords, login_url="http://x/", per="department")))
    assert len(per_department.pages) == 4  # 审批局, 市场监管局, 卫健局, 住建局


def test_the_import_page_dry_runs_then_confirms_and_hands_out_the_slips(client, demo):
    client.force_login(demo.admin)
    sheet = io.BytesIO(xlsx(STAFF_HEADER, NEW_CLERK))
    sheet.name = "staff.xlsx"
    dry = client.post("/accounts/imports/staff/", {"op": "check", "file": sheet})
    page = dry.content.decode()
    assert "全部 1 行检查通过：新建 1 个" in page and "授予角色：窗口受理员（江滨区行政审批服务局）" in page
    from accounts.models import User

    assert not User.objects.filter(username="wangxiao").exists()
    upload = dry.context["pending"]
    confirmed = client.post("/accounts/imports/staff/", {"op": "confirm", "upload": upload, "per": "department"})
    assert confirmed["Content-Type"] == "application/pdf" and confirmed["Cache-Control"] == "no-store"
    assert User.objects.get(username="wangxiao").must_change_password
    template = client.get("/accounts/imports/staff/", {"download": "template"})
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_a_wrong_sheet_on_the_page_shows_each_row_and_column(client, demo):
    client.force_login(demo.admin)
    sheet = io.BytesIO(xlsx(STAFF_HEADER, ["x1", "某", "", "JB-NOPE", "", "", "承办人"]))
    sheet.name = "staff.xlsx"
    page = client.post("/accounts/imports/staff/", {"op": "check", "file": sheet}).content.decode()
    assert "处错误，整个表格未导入" in page and "第2行" in page and "D列（部门编码）" in page


def test_the_imports_are_for_system_administrators_only(client, demo):
    client.force_login(demo.leader)
    assert client.get("/accounts/imports/staff/").status_code == 403
