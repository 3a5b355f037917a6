"""Chinese first (issue 14): every designer page of a demo item shows codes by their Chinese
names — no step-type key or role key as visible text (the JSON under 高级 and the JSON page's
text box are for advanced users and are not scanned) — and no empty-choice dashes."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from accounts.models import Role
from designer.steps import step_types

pytestmark = pytest.mark.django_db

HIDDEN = {"script", "style", "textarea", "details", "title"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a person sees: outside <script>, <style>, <textarea> and the folded 高级 panels."""

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag in HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in HIDDEN:
                self.hidden -= 1
            if top == tag:
                break

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


CODE = "JB-ZRZY-XK-0001"  # the item with every kind of step (special procedure, countersign, notice…)
REGISTRY_KEYS = set(step_types.keys()) | {r.value for r in Role}


def pages(unit: str) -> list[str]:
    base = f"/designer/items/{CODE}/"
    return [base, base + "public/", base + "stages/", base + f"materials/?unit={unit}", base + "form/",
            base + f"preview/?unit={unit}", base + f"workflow/?unit={unit}", base + "supervision/",
            base + "history/", base + "form/?field=builder"]


def test_no_registry_key_is_visible_text_on_any_designer_page(client, demo):
    from accounts.models import RoleAssignment
    from designer.models import ApprovalItem

    # the item's department's editor sees every editor of the pages (the step and field editors too)
    RoleAssignment.objects.create(user=demo.editor, role=Role.ITEM_EDITOR, department=demo.department("JB-ZRZY"))
    client.force_login(demo.editor)
    item = ApprovalItem.objects.get(code=CODE)
    unit = item.definition["stages"][0]["code"] if item.definition["stages"] else ""
    steps = item.definition["stages"][0]["workflow"]["steps"] if unit else item.definition["workflow"]["steps"]
    urls = pages(unit) + [f"/designer/items/{CODE}/workflow/?unit={unit}&step={s['key']}" for s in steps]
    # the form builder on each decision form, with its first field's editor
    urls[:0] = [f"/designer/items/{CODE}/form/?unit={unit}&decision={s['key']}{extra}" for s in steps
                if s.get("decision_form")
                for extra in ("", f"&field={s['decision_form']['ui_schema']['order'][0]}")]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        words = set(re.findall(r"[A-Za-z_]+", text))
        if shown := sorted(words & REGISTRY_KEYS):
            found[url] = shown
        assert "---------" not in text and "——）" not in text, url
    assert found == {}
    editor_page = visible_text(client.get(urls[-1]).content.decode())
    assert "保存步骤" in editor_page and "请选择" in editor_page
