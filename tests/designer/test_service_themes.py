"""Service themes (服务主题): kept by the legal office, chosen per item on the public-information
page, checked against the list, and copied to the catalogue when a version is published."""

from __future__ import annotations

import copy

import pytest

from core.errors import InvalidInput
from designer import services
from designer.models import ApprovalItem, ServiceTheme
from designer.validation import validate_definition

pytestmark = pytest.mark.django_db
URL = "/designer/themes/"


def test_the_district_list_is_there_from_the_start(db):
    names = list(ServiceTheme.objects.values_list("name", flat=True))
    assert names[:5] == ["开办企业", "餐饮服务", "建设工程", "医疗卫生", "自然资源"]


def test_legal_office_adds_and_renames_editors_only_read(client, demo):
    client.force_login(demo.legal)
    added = client.post(URL, {"code": "pension", "name": "养老服务", "position": "5"}, follow=True)
    assert "已保存服务主题“养老服务”（pension）" in added.content.decode()
    client.post(URL, {"code": "pension", "name": "养老托育", "position": "5"})
    theme = ServiceTheme.objects.get(code="pension")
    assert theme.name == "养老托育" and ServiceTheme.objects.first() == theme
    assert [h.history_change_reason for h in theme.history.order_by("history_id")] == ["新增服务主题", "修改服务主题"]
    bad = client.post(URL, {"code": "Bad Code", "name": "某主题", "position": "1"})
    assert "主题编码应以小写英文字母开头" in bad.content.decode()
    assert not ServiceTheme.objects.filter(name="某主题").exists()
    client.force_login(demo.editor)
    page = client.get(URL).content.decode()
    assert "养老托育" in page and "新增或修改服务主题" not in page
    assert client.post(URL, {"code": "x1", "name": "某主题", "position": "1"}).status_code == 403


def test_editor_chooses_themes_on_the_public_page(client, demo):
    client.force_login(demo.editor)
    code = "JB-SCJG-XK-0002"
    form = client.get(f"/designer/items/{code}/public/").context["form"]
    assert form.initial["themes"] == ["business_startup"]
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}  # 0 days is a value
    data["themes"] = ["business_startup", "catering"]
    assert client.post(f"/designer/items/{code}/public/", data).status_code == 302
    assert ApprovalItem.objects.get(code=code).definition["themes"] == ["business_startup", "catering"]
    assert "开办企业、餐饮服务" in client.get(f"/designer/items/{code}/").content.decode()


def test_unknown_theme_is_refused_with_its_path(demo):
    doc = copy.deepcopy(ApprovalItem.objects.get(code="JB-SCJG-XK-0002").definition)
    doc["themes"] = ["business_startup", "space_travel"]
    with pytest.raises(InvalidInput) as refused:
        validate_definition(doc)
    assert refused.value.details == {"$.themes[1]": ["服务主题“space_travel”不存在（请先在“服务主题”中添加）"]}


def test_publishing_copies_the_themes_of_the_new_version_to_the_catalogue(demo):
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0002")
    assert list(item.themes.values_list("code", flat=True)) == ["business_startup"]
    doc = copy.deepcopy(item.definition)
    doc["themes"] = ["catering"]
    services.item_update(actor=demo.editor, item=item, definition=doc)
    assert list(item.themes.values_list("code", flat=True)) == ["business_startup"]  # the version in force
    services.item_submit_for_review(actor=demo.editor, item=item)
    services.item_publish(actor=demo.legal, item=item, opinion="同意")
    assert list(item.themes.values_list("code", flat=True)) == ["catering"]
