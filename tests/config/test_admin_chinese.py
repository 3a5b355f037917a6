"""The Django admin reads Chinese throughout, the login-lockout (django-axes) section included."""

from __future__ import annotations

import re

import pytest
from django.test import Client

# English words as they appear in model, section and field names (never in our Chinese pages)
ENGLISH_NAME = re.compile(r">\s*(?:以 )?[A-Z][A-Za-z ()/-]*[A-Za-z)]\s*<")


def _english(html: str) -> list[str]:
    return sorted({m.group(0) for m in ENGLISH_NAME.finditer(html)})


@pytest.fixture
def admin_client(demo):
    client = Client()
    client.force_login(demo.admin)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/admin/", "/admin/axes/", "/admin/axes/accessattempt/", "/admin/axes/accesslog/", "/admin/axes/accessfailurelog/",
    "/admin/axes/accessattempt/?o=1",
])
def test_the_admin_and_its_login_lockout_section_have_no_english_names(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert _english(response.content.decode()) == []
