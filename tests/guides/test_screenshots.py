"""``guide_screenshots`` regenerates the guides' screenshots from the demo (two of them here, to
bound the time)."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_command_takes_the_screenshots_again(transactional_db, live_server, tmp_path):
    from PIL import Image

    from core.demo import run_demo_loaders
    from tests.fixtures.browser import chromium_executable

    if chromium_executable() is None:
        pytest.skip("未找到 Debian 的 chromium")
    run_demo_loaders(lambda _msg: None)
    call_command("guide_screenshots", base_url=live_server.url, only="clerk-workbench,staff-login",
                 output=str(tmp_path))
    for name in ("clerk-workbench", "staff-login"):
        image = Image.open(tmp_path / f"{name}.png")
        assert image.size == (1366, 768) and image.mode == "P"  # a palette PNG
        assert (tmp_path / f"{name}.png").stat().st_size < 150_000


def test_an_unknown_screenshot_name_is_refused_in_chinese():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有这些截图：nope"):
        call_command("guide_screenshots", only="nope")
