"""A new item starts from a copy of a published item, and the guided path shows, part by part,
what is still missing before review (from the validation, one source)."""

from __future__ import annotations

import pytest

from designer.guide import guide, part_of
from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, demo):
    client.force_login(demo.editor)
    return client


def published_elsewhere():
    return ApprovalItem.objects.in_service().exclude(department__code="JB-SCJG").filter(confidential=False).first()


def test_new_item_from_a_copy_of_another_departments_published_item(editor):
    source = published_elsewhere()
    assert source is not None
    page = editor.get("/designer/").content.decode()
    assert "不复制，从区统一模板开始" in page and f"{source.name}（{source.department.name}）" in page
    response = editor.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "复制来的事项",
                                          "copy_from": source.pk})
    assert response.status_code == 302
    copied = ApprovalItem.objects.get(name="复制来的事项")
    assert copied.code.startswith("JB-SCJG-XK-") and copied.definition["department"] == "JB-SCJG"
    original = source.current_version.document
    assert copied.definition["form"] == original["form"]
    assert copied.definition["materials"] == original["materials"]
    assert copied.definition["workflow"] == original["workflow"]
    assert ApprovalItem.objects.get(pk=source.pk).definition["name"] == source.definition["name"]


def test_a_draft_never_published_cannot_be_copied(editor):
    editor.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "草稿事项"})
    draft = ApprovalItem.objects.get(name="草稿事项")
    page = editor.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "复制草稿",
                                      "copy_from": draft.pk}).content.decode()
    assert not ApprovalItem.objects.filter(name="复制草稿").exists()
    assert "选择一个有效的选项" in page or "有效" in page


@pytest.mark.parametrize("path, part", [
    ("$.public.conditions", "public"), ("$.name", "public"), ("$.stages[0].materials[1].name", "materials"),
    ("$.stages[0].name", "stages"), ("$.form.schema", "form"), ("$.stages[1].workflow.steps[2]", "workflow"),
    ("$.supervision.rules[0]", "supervision"), ("$.statutory_limit_days", "supervision")])
def test_problem_paths_sorted_into_parts(path, part):
    assert part_of(path) == part


def test_guided_path_on_a_new_item_lists_what_is_missing(editor):
    editor.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "新事项"})
    item = ApprovalItem.objects.get(name="新事项")
    parts = {p["label"]: p["missing"] for p in guide(item.definition)}
    assert list(parts) == ["公开信息", "办理阶段", "申请材料", "表单", "流程", "时限与监察规则", "提交审核"]
    assert "尚未填写“审批条件”" in parts["公开信息"]
    assert parts["申请材料"] == ["尚未列出申请材料"] and parts["流程"] == []
    assert len(parts["提交审核"]) == sum(len(v) for k, v in parts.items() if k != "提交审核")
    page = editor.get(f"/designer/items/{item.code}/workflow/").content.decode()
    assert "办理向导" in page and "尚未列出申请材料" in page and "待完善" in page


def test_a_definition_path_in_words():
    from designer.diff_words import path_in_words

    doc = {"stages": [{"name": "设立", "workflow": {"steps": [{"name": "受理"}, {"name": "专家评审"}]},
                       "form": {"schema": {"properties": {"area": {"title": "面积"}}}}}]}
    assert path_in_words("$.stages[0].workflow.steps[1].procedure", doc) == "阶段“设立” › 办理流程 › 步骤“专家评审” › 特殊程序种类"
    assert path_in_words("$.stages[0].form.schema.properties.area.title", doc) == (
        "阶段“设立” › 申请表单 › 字段定义 › 字段 › 字段“面积” › 标题")
    assert path_in_words("$.stages[0].workflow.steps[7].name", doc) == "阶段“设立” › 办理流程 › 步骤第8项 › 名称"


def test_a_new_item_compared_with_what_it_was_when_created(editor):
    editor.post("/designer/", {"department": "JB-SCJG", "item_type": "XK", "name": "新事项"})
    item = ApprovalItem.objects.get(name="新事项")
    doc = dict(item.definition, public=dict(item.definition["public"], conditions="场所面积不少于100平方米"))
    editor.post(f"/designer/items/{item.code}/json/", {"document": __import__("json").dumps(doc, ensure_ascii=False)})
    page = editor.get(f"/designer/items/{item.code}/diff/").content.decode()
    assert "新建时" in page and "公开信息 › 审批条件" in page and "场所面积不少于100平方米" in page
