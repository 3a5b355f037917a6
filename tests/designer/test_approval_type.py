"""审批类型及法律效力: the type is said once on the overview and always on the public guide."""

from __future__ import annotations

import pytest

from designer import services
from designer.forms import PublicInfoForm
from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db


def _edit_public(client, code: str, approval_type: str) -> None:
    item = ApprovalItem.objects.get(code=code)
    data = {k: v for k, v in PublicInfoForm.initial_from(item.definition).items() if v not in (None, False)}
    data["approval_type"] = approval_type
    data["themes"] = data.get("themes") or []
    response = client.post(f"/designer/items/{code}/public/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.parametrize("typed", ["行政许可。取得许可后方可经营。", "取得许可后方可经营。"])
def test_overview_says_the_type_once_whatever_the_editor_typed(client, demo, typed):
    client.force_login(demo.editor)
    _edit_public(client, "JB-SCJG-XK-0001", typed)
    page = client.get("/designer/items/JB-SCJG-XK-0001/").content.decode()
    assert "行政许可。取得许可后方可经营。" in page
    assert "行政许可。行政许可" not in page


def test_the_public_guide_shows_the_type_after_an_edit(client, demo):
    client.force_login(demo.editor)
    _edit_public(client, "JB-SCJG-XK-0001", "取得许可后方可经营。")
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    services.item_submit_for_review(actor=demo.editor, item=item)
    services.item_publish(actor=demo.legal, item=item, opinion="同意")
    client.logout()
    guide = client.get("/hall/items/JB-SCJG-XK-0001/").content.decode()
    assert "行政许可。取得许可后方可经营。" in guide


def test_an_empty_text_still_names_the_type(client, demo):
    client.force_login(demo.editor)
    _edit_public(client, "JB-SCJG-XK-0001", "")
    page = client.get("/designer/items/JB-SCJG-XK-0001/").content.decode()
    assert "<dd>行政许可</dd>" in page
