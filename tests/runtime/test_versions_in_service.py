"""An item's current version keeps serving while a new draft is edited and reviewed: the guide,
the catalogue (pages and API), online applications and window intake all use it until the draft
is published; publishing pins new cases to the new version, retiring takes the item away."""

from __future__ import annotations

import copy

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.errors import Conflict
from designer import services as designer
from designer.models import ApprovalItem
from designer.selectors import items_in_service, public_catalogue
from runtime import services

from . import factories
from .conftest import submit

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def edit(demo, item, **changes) -> ApprovalItem:
    doc = copy.deepcopy(item.definition)
    doc.update(changes)
    return designer.item_update(actor=demo.editor, item=item, definition=doc)


def window_intake(demo, item):
    person = services.ApplicantInput(kind="natural", name="钱七", identity_number="11010519491231002X")
    return services.case_intake_at_window(actor=demo.clerk, item=item, applicant=person,
                                          form_data=factories.good_data(), materials=[
                                              services.MaterialInput("application", "申请书.pdf", factories.PDF)])


def assert_serves_version(demo, item, number: int, name: str):
    """Everything an applicant or a clerk reaches serves version ``number`` named ``name``."""
    item.refresh_from_db()
    assert item.in_service and item.current_version.number == number
    assert list(items_in_service().filter(pk=item.pk)) == [item]
    guide = browser().get(f"/hall/items/{item.code}/")
    assert guide.status_code == 200 and f"<h1>{name}</h1>" in guide.content.decode()
    hall = browser().get("/hall/").content.decode()
    assert f"/hall/items/{item.code}/" in hall and name in hall
    listed = APIClient().get("/api/v1/catalogue/", {"q": item.code}).json()["results"]
    assert [(i["code"], i["name"], i["version"]) for i in listed] == [(item.code, name, number)]
    assert browser(demo.zhangsan).get(f"/hall/items/{item.code}/apply/").status_code == 200
    online = submit(demo, item)
    assert online.version.number == number
    assert window_intake(demo, item).version.number == number
    api = APIClient()
    api.force_authenticate(demo.zhangsan)
    body = {"item": item.code, "form_data": factories.good_data()}
    created = api.post("/api/v1/cases/", {**body, "materials": {}}, format="json")
    # the API refuses only for the missing material, not for the item being offline
    assert created.status_code == 400 and "materials.application" in created.json()["details"]


def test_a_draft_and_its_review_leave_the_current_version_serving(demo, item):
    n = item.current_version.number
    assert_serves_version(demo, item, n, "食品经营许可（新办）")

    item = edit(demo, item, name="食品经营许可（新办·修订）", statutory_limit_days=15)
    assert item.state == "draft"
    assert_serves_version(demo, item, n, "食品经营许可（新办）")
    assert f"现行版本：第{n}版已发布，照常受理；正在编辑新草稿" in browser(demo.editor).get(
        f"/designer/items/{item.code}/").content.decode()

    designer.item_submit_for_review(actor=demo.editor, item=item)
    assert_serves_version(demo, item, n, "食品经营许可（新办）")
    api = APIClient()
    api.force_authenticate(demo.editor)
    shown = api.get(f"/api/v1/designer/items/{item.code}/").json()
    assert (shown["state"], shown["in_service"], shown["current_version"]) == ("in_review", True, n)
    assert shown["status_text"] == f"现行版本：第{n}版已发布，照常受理；新草稿审核中"


def test_publishing_the_draft_pins_new_cases_and_old_cases_keep_theirs(demo, item, frozen):
    n = item.current_version.number
    old_case = submit(demo, item)
    item = edit(demo, item, name="食品经营许可（新办·修订）")
    during = submit(demo, item)
    designer.item_submit_for_review(actor=demo.editor, item=item)
    designer.item_publish(actor=demo.legal, item=item, opinion="同意")

    assert_serves_version(demo, item, n + 1, "食品经营许可（新办·修订）")
    new_case = submit(demo, item)
    old_case.refresh_from_db()
    during.refresh_from_db()
    assert (old_case.version.number, during.version.number, new_case.version.number) == (n, n, n + 1)


def test_a_draft_cannot_unhide_a_confidential_version(demo):
    secret = factories.publish(factories.definition("JB-SCJG-XK-0009", name="涉密事项", confidential=True))
    edit(demo, secret, confidential=False, online_class="A")
    assert not public_catalogue().filter(pk=secret.pk).exists()
    assert browser().get(f"/hall/items/{secret.code}/").status_code == 404


def test_retiring_takes_the_item_out_of_service(demo, item):
    edit(demo, item, name="改了一半的草稿")
    designer.item_retire(actor=demo.legal, item=item, reason="事项取消")
    item.refresh_from_db()
    assert not item.in_service and not items_in_service().filter(pk=item.pk).exists()
    assert browser().get(f"/hall/items/{item.code}/").status_code == 404
    assert item.code not in browser().get("/hall/").content.decode()
    with pytest.raises(Conflict):
        submit(demo, item)
    with pytest.raises(Conflict):
        window_intake(demo, item)
