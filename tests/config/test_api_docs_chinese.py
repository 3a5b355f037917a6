"""The API documentation reads in Chinese; the site has its icon."""

from __future__ import annotations

import re

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.django_db


def test_the_api_describes_itself_and_every_endpoint_in_chinese(client, demo):
    client.force_login(demo.admin)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert CJK.search(schema["info"]["description"]) and "Online administrative" not in schema["info"]["description"]
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) > 50
    for path, method, op in operations:
        assert CJK.search(op.get("summary") or ""), f"{method.upper()} {path} 没有中文摘要"
        assert op["tags"] and all(CJK.search(t) for t in op["tags"]), f"{method.upper()} {path}: {op['tags']}"
        assert "Submit an application" not in (op.get("description") or "")
    assert {t["name"] for t in schema["tags"]} >= {"办件", "事项目录", "电子监察", "工作日历"}


def test_favicon_is_served_and_named_by_every_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response).startswith(b"\x00\x00\x01\x00")  # an ICO file
    page = client.get("/hall/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon and client.get(icon.group(1)).status_code == 200
