"""Lifecycle: who may do what, codes, nothing half-saved, immutable versions, history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.errors import AccessDenied, Conflict, InvalidInput
from designer import services
from designer.models import ApprovalItem, ItemState, ItemVersion, ReviewRecord

from .factories import sample_definition, spoil

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(demo):
    return services.item_create(actor=demo.editor, department=demo.department("JB-SCJG"), item_type="XK",
                                name="测试许可事项")


def test_codes_are_department_type_and_sequence(demo, item):
    assert item.code == "JB-SCJG-XK-0003"  # the demo items hold 0001 and 0002
    second = services.item_create(actor=demo.editor, department=demo.department("JB-SCJG"), item_type="XK", name="二号")
    other = services.item_create(actor=demo.editor, department=demo.department("JB-SCJG"), item_type="QR", name="确认")
    assert (second.code, other.code) == ("JB-SCJG-XK-0004", "JB-SCJG-QR-0001")
    assert item.state == ItemState.DRAFT and item.definition["code"] == item.code


def test_editor_works_only_for_its_own_department(demo, item):
    with pytest.raises(AccessDenied):
        services.item_create(actor=demo.editor, department=demo.department("JB-WJ"), item_type="XK", name="卫健事项")
    with pytest.raises(AccessDenied):
        services.item_update(actor=demo.multi, item=item, definition=sample_definition(item.code))
    with pytest.raises(AccessDenied):
        services.item_update(actor=demo.legal, item=item, definition=sample_definition(item.code))


def test_invalid_update_saves_nothing(demo, item):
    before = ApprovalItem.objects.get(pk=item.pk).definition
    history = item.history.count()
    bad = spoil(sample_definition(item.code), lambda d: d.update(name="改了名字", promised_limit_days=30))
    with pytest.raises(InvalidInput) as caught:
        services.item_update(actor=demo.editor, item=item, definition=bad)
    assert caught.value.details == {"$.promised_limit_days": ["承诺时限（30个工作日）不能超过法定时限（10个工作日）"]}
    fresh = ApprovalItem.objects.get(pk=item.pk)
    assert fresh.definition == before and fresh.name == "测试许可事项"
    assert item.history.count() == history


def test_code_cannot_change(demo, item):
    with pytest.raises(InvalidInput) as caught:
        services.item_update(actor=demo.editor, item=item, definition=sample_definition(code="JB-SCJG-XK-0009"))
    assert "$.code" in caught.value.details


def test_review_send_back_then_publish(demo, item):
    services.item_update(actor=demo.editor, item=item, definition=sample_definition(item.code))
    services.item_submit_for_review(actor=demo.editor, item=item)
    with pytest.raises(Conflict):
        services.item_update(actor=demo.editor, item=item, definition=sample_definition(item.code))
    with pytest.raises(AccessDenied):
        services.item_publish(actor=demo.editor, item=item, opinion="自己批准")
    with pytest.raises(InvalidInput):
        services.item_send_back(actor=demo.legal, item=item, opinion=" ")
    services.item_send_back(actor=demo.legal, item=item, opinion="设定依据请写明条款")
    assert ApprovalItem.objects.get(pk=item.pk).state == ItemState.DRAFT
    fixed = spoil(sample_definition(item.code), lambda d: d["public"].update(legal_basis="《食品安全法》第三十五条第一款"))
    services.item_update(actor=demo.editor, item=item, definition=fixed)
    services.item_submit_for_review(actor=demo.editor, item=item)
    version = services.item_publish(actor=demo.legal, item=item, opinion="同意发布")
    item.refresh_from_db()
    assert (item.state, item.current_version, version.number) == (ItemState.PUBLISHED, version, 1)
    assert version.document == fixed and version.published_by == demo.legal
    actions = list(ReviewRecord.objects.filter(item=item).values_list("action", "opinion"))
    assert actions == [("submit", ""), ("send_back", "设定依据请写明条款"), ("submit", ""), ("publish", "同意发布")]


def test_published_version_is_immutable_and_edits_make_a_new_draft(demo, item):
    services.item_update(actor=demo.editor, item=item, definition=sample_definition(item.code))
    services.item_submit_for_review(actor=demo.editor, item=item)
    v1 = services.item_publish(actor=demo.legal, item=item, opinion="同意")
    v1.document["name"] = "篡改"
    with pytest.raises(ValidationError):
        v1.save()
    changed = spoil(sample_definition(item.code), lambda d: d.update(name="测试许可事项（2026版）"))
    services.item_update(actor=demo.editor, item=item, definition=changed)
    item.refresh_from_db()
    assert item.state == ItemState.DRAFT and item.current_version_id == v1.pk
    assert ItemVersion.objects.get(pk=v1.pk).document["name"] == "测试许可事项"
    services.item_submit_for_review(actor=demo.editor, item=item)
    v2 = services.item_publish(actor=demo.legal, item=item, opinion="同意")
    assert v2.number == 2 and v2.document["name"] == "测试许可事项（2026版）"
    assert item.history.count() >= 5


def test_retire_keeps_versions(demo, item):
    with pytest.raises(Conflict):
        services.item_retire(actor=demo.legal, item=item, reason="不再办理")
    services.item_submit_for_review(actor=demo.editor, item=item)
    services.item_publish(actor=demo.legal, item=item, opinion="同意")
    services.item_retire(actor=demo.legal, item=item, reason="职能划转")
    item.refresh_from_db()
    assert item.state == ItemState.RETIRED and item.current_version.number == 1
    with pytest.raises(Conflict):
        services.item_update(actor=demo.editor, item=item, definition=sample_definition(item.code))


def test_supervision_defaults_must_be_complete(demo):
    with pytest.raises(InvalidInput) as caught:
        services.supervision_defaults_update(actor=demo.legal, rules={"warning": {"limit": "promised",
                                                                                 "remaining_days": 1}})
    assert "$.red_card" in caught.value.details
    with pytest.raises(AccessDenied):
        services.supervision_defaults_update(actor=demo.editor, rules={})
