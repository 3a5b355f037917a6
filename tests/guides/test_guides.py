"""The operating guides: one for every role, every page they link to exists for that role,
every screenshot they show is there, and the header links to them on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import STAFF_ROLES, Role
from guides.guides import SCREENS, guides, shots

GUIDES = [guides.get(key) for key in guides]


def test_every_role_has_a_guide():
    covered = {role for guide in GUIDES for role in guide.roles}
    assert covered == set(STAFF_ROLES) | {Role.APPLICANT}


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.key)
def test_every_page_a_guide_links_to_answers_its_role(client, demo, guide):
    persona = getattr(demo, guide.persona)
    for step in guide.steps:
        if not step.page:
            continue
        client.logout()
        if not step.as_visitor:
            client.force_login(persona)
        response = client.get(reverse(step.page, args=step.args))
        assert response.status_code in (200, 302), f"{guide.key}: {step.title} → {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"], f"{guide.key}: {step.title} needs another login"
    client.logout()
    page = client.get(reverse("guides:guide", args=[guide.key])).content.decode()
    assert guide.title in page
    for step in guide.steps:
        if step.shot:
            assert f"/static/guides/screens/{step.shot}.png" in page


def test_every_screenshot_is_committed_small_and_1366_wide():
    from PIL import Image

    total = 0
    for name in shots():
        path = SCREENS / f"{name}.png"
        assert path.exists(), f"缺少截图 {name}.png：运行 python manage.py guide_screenshots"
        assert Image.open(path).size[0] == 1366
        total += path.stat().st_size
    assert total < 3_000_000


@pytest.mark.parametrize("path", ["/hall/", "/accounts/login/", "/guides/"])
def test_the_header_links_to_the_guides(client, db, path):
    assert 'href="/guides/">操作指南</a>' in client.get(path).content.decode()


def test_the_header_links_to_the_guides_for_staff_too(client, demo):
    client.force_login(demo.handler)
    page = client.get("/guides/").content.decode()
    assert 'href="/guides/">操作指南</a>' in client.get("/workbench/").content.decode()
    assert page.index("承办人") < page.index("效能办监察员")  # one's own guide first


def test_the_admin_header_links_to_the_guides(client, demo):
    client.force_login(demo.admin)
    assert 'href="/guides/">操作指南</a>' in client.get("/admin/").content.decode()
