"""Finding 1 of issue 12: every page forbids inline script, and no template needs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/hall/", "/accounts/login/", "/api/docs/"])
def test_every_page_forbids_inline_script(client, demo, path):
    response = client.get(path, follow=True)
    policy = policy_of(response)
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert all(source.startswith("'sha256-") for source in policy["script-src"][2:])  # named handlers only
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("default-src", [])


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for template in PLATFORM.glob("**/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        offenders += [f"{template.relative_to(PLATFORM)}: {m.group(0)}"
                      for m in [*INLINE_SCRIPT.finditer(text), *EVENT_HANDLER.finditer(text)]]
    assert offenders == []


def test_the_charts_carry_no_inline_script():
    from supervision.charts import card_trend_svg

    svg = card_trend_svg({"labels": ["1日"], "yellow": [1], "red": [2]})
    assert "<svg" in svg and "<script" not in svg
