"""The item-level setting ``correction_stops_clock``: edited on the public-information page,
absent (= no) in every definition written before it, refused when not a yes/no."""

from __future__ import annotations

import copy

import pytest

from core.errors import InvalidInput
from designer.models import ApprovalItem, ItemVersion
from designer.validation import validate_definition

pytestmark = pytest.mark.django_db


def _public_data(client, code, **changes) -> dict:
    form = client.get(f"/designer/items/{code}/public/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data.update(changes)
    return data


def test_public_page_sets_and_clears_the_setting(client, demo):
    client.force_login(demo.editor)
    code = "JB-SCJG-XK-0001"
    page = client.get(f"/designer/items/{code}/public/").content.decode()
    assert "受理后要求补正的，补正期间停止计时" in page
    assert "correction_stops_clock" not in ApprovalItem.objects.get(code=code).definition
    response = client.post(f"/designer/items/{code}/public/", _public_data(client, code, correction_stops_clock="on"))
    assert response.status_code == 302
    assert ApprovalItem.objects.get(code=code).definition["correction_stops_clock"] is True
    assert "补正期间停止计时" in client.get(f"/designer/items/{code}/").content.decode()
    data = _public_data(client, code)
    data.pop("correction_stops_clock", None)  # an unticked box is not sent
    client.post(f"/designer/items/{code}/public/", data)
    assert "correction_stops_clock" not in ApprovalItem.objects.get(code=code).definition
    assert "补正期间照常计时" in client.get(f"/designer/items/{code}/").content.decode()


def test_published_demo_versions_stay_valid_and_a_non_boolean_is_refused_with_its_path(demo):
    for version in ItemVersion.objects.all():
        validate_definition(version.document)
    doc = copy.deepcopy(ApprovalItem.objects.get(code="JB-SCJG-XK-0001").definition)
    doc["correction_stops_clock"] = "是"
    with pytest.raises(InvalidInput) as refused:
        validate_definition(doc)
    assert "$.correction_stops_clock" in refused.value.details
