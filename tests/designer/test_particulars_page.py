"""Certificate particulars (证照上印制的事项) on the 公开信息 page: each line's source is chosen from
the application form's fields and the officers' decision fields by Chinese title, never typed as
a path; saved as ``public.certificate.particulars``; refused lines shown on their row."""

from __future__ import annotations

import re

import pytest

from designer.models import ApprovalItem

pytestmark = pytest.mark.django_db
HYGIENE = "JB-WJ-XK-0001"  # 公共场所卫生许可: 新办 issues, 变更 changes; particulars from both
URL = f"/designer/items/{HYGIENE}/public/"


@pytest.fixture
def editor(client, demo):
    client.force_login(demo.multi)  # item editor of 卫生健康局
    return client


def post_of(page: str, rows: list[tuple[str, str, bool]]) -> dict:
    """The page's public-information form as posted, with ``rows`` as the particulars."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<textarea[^>]*name="([a-z_]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.strip()
    for name, body in re.findall(r'<select[^>]*name="([a-z_]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data["themes"] = re.findall(r'name="themes" value="([^"]+)"[^>]*checked', page)
    data.update({"p-TOTAL_FORMS": str(len(rows)), "p-INITIAL_FORMS": "0"})
    for i, (label, path, public) in enumerate(rows):
        data.update({f"p-{i}-label": label, f"p-{i}-path": path})
        if public:
            data[f"p-{i}-public"] = "on"
    return data


def source_options(page: str, row: int = 0) -> dict[str, str]:
    select = re.search(rf'<select name="p-{row}-path".*?</select>', page, re.S).group(0)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def definition() -> dict:
    return ApprovalItem.objects.get(code=HYGIENE).definition


def test_sources_are_offered_by_chinese_title_and_no_path_is_typed(editor):
    page = editor.get(URL).content.decode()
    assert "证照上印制的事项" in page
    assert not re.search(r'<input[^>]*name="p-\d+-path"', page)  # a list, not a text box
    options = source_options(page)
    assert options["decision.inspect.capacity"] == "新办：现场审核·核定容纳人数"
    assert options["unit_name"].endswith("单位名称") and options[""] == "请选择…"
    assert not any(title == path for path, title in options.items() if path)  # never a bare identifier
    # the stored particulars come back as rows, each with its source chosen
    assert re.search(r'<option value="decision.inspect.capacity" selected>', page)


def test_an_editor_sets_the_particulars_by_choosing_their_sources(editor):
    page = editor.get(URL).content.decode()
    response = editor.post(URL, post_of(page, [("单位名称", "unit_name", True), ("核定人数", "decision.inspect.capacity", False),
                                               ("", "", True)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert definition()["public"]["certificate"]["particulars"] == [
        {"label": "单位名称", "path": "unit_name"}, {"label": "核定人数", "path": "decision.inspect.capacity", "public": False}]


def test_a_half_filled_or_refused_line_is_shown_on_its_row_and_nothing_is_saved(editor):
    before = definition()["public"]["certificate"]["particulars"]
    page = editor.get(URL).content.decode()
    refused = editor.post(URL, post_of(page, [("单位名称", "", True)])).content.decode()
    assert "证照事项名称和内容来源须同时填写" in refused
    refused = editor.post(URL, post_of(page, [("单位名称", "unit_name", True), ("单位名称", "address", True)]))
    assert "证照事项“单位名称”重复" in refused.content.decode()
    assert definition()["public"]["certificate"]["particulars"] == before
