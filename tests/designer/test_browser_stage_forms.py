"""A stage's own form in a real browser: the editor gives the 注销 stage a form of its own and adds a
field; the published item keeps serving meanwhile, and the applicant's 注销 page asks what the
stage's form asks once it is published. Screenshots under test-artifacts/."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import ARTIFACTS

from ..runtime import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = factories.STAGED_CODE


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    from core.demo import run_demo_loaders

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    run_demo_loaders(lambda _msg: None)
    doc = factories.staged_definition()
    del doc["stages"][1]["form"]
    doc["stages"][1]["materials"][1]["condition"] = None
    doc["stages"][1]["workflow"]["steps"][0]["transitions"] = [{"to": "decide"}]
    factories.publish(doc)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"designer-{name}.png"), full_page=True)


def test_editor_gives_a_stage_its_own_form(district, page, login):
    from designer import services
    from designer.models import ApprovalItem

    login("editor")
    page.goto(f"/designer/items/{CODE}/form/?stage=04")
    assert page.get_by_text("本阶段使用事项表单").is_visible()
    page.get_by_label("本阶段单独表单").check()
    page.get_by_role("button", name="保存选择").click()
    page.wait_for_url("**/form/?stage=04")
    assert page.get_by_text("阶段04 注销（本阶段单独表单）").is_visible()
    page.locator("#id_kind").select_option(label="单行文本")
    page.locator("#id_title").fill("注销说明")  # its identifier is generated from the title
    page.locator("#id_required").check()
    page.get_by_role("button", name="添加字段").click()
    page.wait_for_url("**/form/?stage=04")
    assert page.locator(".preview").get_by_text("注销说明").is_visible()
    assert page.get_by_text("现行版本：第1版已发布，照常受理；正在编辑新草稿").is_visible()
    shot(page, "stage-own-form")

    # the draft is not served yet: the applicant's 注销 page still asks the item's form
    page.context.clear_cookies()
    login("zhangsan")
    page.goto(f"/hall/items/{CODE}/apply/?unit={CODE}-04")
    assert page.get_by_text("经营项目").count() >= 1 and page.get_by_text("注销说明").count() == 0

    item = ApprovalItem.objects.get(code=CODE)
    services.item_submit_for_review(actor=_user("editor"), item=item)
    services.item_publish(actor=_user("legal"), item=item, opinion="同意")
    page.goto(f"/hall/items/{CODE}/apply/?unit={CODE}-04")
    assert page.get_by_text("注销说明").count() >= 1
    shot(page, "stage-own-form-applicant")


def _user(username):
    from accounts.models import User

    return User.objects.get(username=username)
