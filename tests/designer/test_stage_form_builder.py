"""The form builder edits a stage's own form (``?stage=``): a stage chooses 使用事项表单 or
本阶段单独表单, and the stage's form is built like the item's."""

from __future__ import annotations

import pytest
from django.test import Client

from designer import services
from designer.models import ApprovalItem

from ..runtime import factories

pytestmark = pytest.mark.django_db

CODE = factories.STAGED_CODE


@pytest.fixture
def editor(demo) -> Client:
    doc = factories.staged_definition()
    del doc["stages"][1]["form"]  # the 注销 stage starts on the item's form…
    doc["stages"][1]["materials"][1]["condition"] = None  # …so nothing of it may read 注销原因
    doc["stages"][1]["workflow"]["steps"][0]["transitions"] = [{"to": "decide"}]
    factories.publish(doc)
    client = Client()
    client.force_login(demo.editor)
    return client


def stage(code: str = "04") -> dict:
    return next(s for s in ApprovalItem.objects.get(code=CODE).definition["stages"] if s["code"] == code)


def test_a_stage_switches_to_its_own_form_and_builds_it(editor):
    url = f"/designer/items/{CODE}/form/?stage=04"
    page = editor.get(url).content.decode()
    assert "本阶段使用事项表单" in page and "阶段04 注销（使用事项表单）" in page

    assert editor.post(url, {"op": "own_form"}).status_code == 302
    own = stage()["form"]
    assert own == ApprovalItem.objects.get(code=CODE).definition["form"]  # a copy to start from
    assert "阶段04 注销（本阶段单独表单）" in editor.get(url).content.decode()

    response = editor.post(url, {"op": "add", "kind": "text", "key": "cancel_note", "title": "注销说明",
                                 "required": "on"})
    assert response.status_code == 302 and response["Location"] == url
    editor.post(url, {"op": "remove", "key": "machines"})
    saved = stage()["form"]["schema"]
    assert "cancel_note" in saved["properties"] and "cancel_note" in saved["required"]
    assert "machines" not in saved["properties"]
    item_form = ApprovalItem.objects.get(code=CODE).definition["form"]["schema"]
    assert "cancel_note" not in item_form["properties"] and "machines" in item_form["properties"]
    assert "注销说明" in editor.get(f"/designer/items/{CODE}/preview/?unit=04").content.decode()

    assert editor.post(url, {"op": "item_form"}).status_code == 302
    assert "form" not in stage()


def test_a_refused_change_of_a_stage_form_saves_nothing(demo, editor):
    url = f"/designer/items/{CODE}/form/?stage=04"
    editor.post(url, {"op": "own_form"})
    item = ApprovalItem.objects.get(code=CODE)
    doc = item.definition
    doc["stages"][1]["materials"][1]["condition"] = {"==": [{"var": "business"}, "自动售货设备"]}
    services.item_update(actor=demo.editor, item=item, definition=doc)  # the stage's form has "business"
    before = stage()["form"]

    response = editor.post(url, {"op": "remove", "key": "business"})  # …which the stage's material reads
    assert response.status_code == 200
    assert "$.stages[1].materials[1].condition" in response.content.decode()
    assert stage()["form"] == before
    # going back to the item's form is refused while the stage's rules read a field only its own form has
    editor.post(url, {"op": "add", "kind": "text", "key": "cancel_note", "title": "注销说明"})
    item.refresh_from_db()
    doc = item.definition
    doc["stages"][1]["materials"][1]["condition"] = {"==": [{"var": "cancel_note"}, "迁址"]}
    services.item_update(actor=demo.editor, item=item, definition=doc)
    response = editor.post(url, {"op": "item_form"})
    assert response.status_code == 200 and "$.stages[1].materials[1].condition" in response.content.decode()
    assert "cancel_note" in stage()["form"]["schema"]["properties"]
    assert editor.get(f"/designer/items/{CODE}/form/?stage=09").status_code == 404
