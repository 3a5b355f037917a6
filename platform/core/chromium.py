"""Debian's Chromium, as the browser tests and the guides' screenshots start it (never a downloaded one).

Chromium on Linux takes its language from the ``LANGUAGE`` environment variable (``--lang`` is
ignored there), and with Debian's ``chromium-l10n`` installed a Chinese one draws date and month
fields as 2026/12/01 and 2026年12月, as the district's staff and applicants see them; without
that package, or with another language, they read mm/dd/yyyy.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ENV = {"LANGUAGE": "zh_CN"}


def executable() -> str | None:
    """``CHROMIUM_PATH``, else the chromium on the path, else Debian's; None when there is none."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def launch(playwright, path: str):
    """A headless Chromium from ``path`` speaking Chinese."""
    return playwright.chromium.launch(executable_path=path, headless=True, args=ARGS, env={**os.environ, **ENV})
