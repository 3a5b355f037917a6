"""Finding 1 of issue 12: a stored link runs no script (http(s) and relative links only)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from rest_framework.test import APIClient

from core.links import is_safe_link
from designer.models import ApprovalItem
from tests.designer.factories import material, sample_definition, spoil

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                                 "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "/\\evil.example"])
def test_script_and_other_schemes_are_not_links(url):
    assert not is_safe_link(url)


@pytest.mark.parametrize("url", ["https://www.jiangbin.gov.cn/forms/a.docx", "http://x.gov.cn/a", "/media/a.pdf",
                                 "forms/a.pdf", "#top"])
def test_http_and_relative_links_are_links(url):
    assert is_safe_link(url)


def test_a_javascript_download_link_is_refused_with_its_path(demo):
    editor = APIClient()
    editor.force_authenticate(demo.editor)
    before = ApprovalItem.objects.get(code="JB-SCJG-XK-0001").definition

    def poison(d):
        d["public"]["downloads"] = [{"name": "申请表", "url": "javascript:alert(1)"}]
        d["materials"][0] = material("application", "申请书", template_url="JAVASCRIPT:alert(2)")

    response = editor.put("/api/v1/designer/items/JB-SCJG-XK-0001/definition/",
                          {"definition": spoil(sample_definition(), poison)}, format="json")
    assert response.status_code == 400
    details = response.json()["details"]
    assert "http" in details["$.public.downloads[0].url"][0]
    assert "$.materials[0].template_url" in details
    assert ApprovalItem.objects.get(code="JB-SCJG-XK-0001").definition == before


def test_the_material_form_refuses_a_script_link(demo):
    from designer.forms import MaterialForm

    form = MaterialForm(data={"key": "a", "name": "申请书", "original": "original", "copies": 1, "medium": "either",
                              "file_types": ["pdf"], "max_size_mb": 10, "example_url": "javascript:alert(1)"})
    assert not form.is_valid()
    assert "http" in form.errors["example_url"][0]


def test_a_link_stored_before_the_check_renders_inert():
    page = Template('<a href="{{ url|safe_link }}">x</a>').render(Context({"url": "javascript:alert(1)"}))
    assert page == '<a href="#">x</a>'
    assert Template("{{ url|safe_link }}").render(Context({"url": "/a?b=1&c=2"})) == "/a?b=1&amp;c=2"
