"""Take the operating guides' screenshots from the demo district.

    python manage.py guide_screenshots                 # a server of its own on this database
    python manage.py guide_screenshots --base-url http://127.0.0.1:8000
    python manage.py guide_screenshots --only clerk-workbench,admin-imports

Without ``--base-url`` the command serves this database itself (Django's live-server thread) and,
in a development database (DEBUG), loads the demo district first if it is missing. Each guide's
pages are opened as its demo persona in Debian's Chromium (Playwright with ``executable_path``, as
the browser tests do), 1366×768, and saved as palette PNGs (a few dozen KB each) under
``guides/static/guides/screens/``.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from core import chromium
from guides.guides import SCREENS, shots

WIDTH, HEIGHT = 1366, 768
DEMO_PASSWORD = "Demo#2026"


def shrink(png: bytes) -> bytes:
    """A 128-colour palette PNG: screenshots of flat pages lose nothing visible and most bytes."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class Command(BaseCommand):
    help = "从演示数据重新生成操作指南的截图"

    def add_arguments(self, parser):
        parser.add_argument("--base-url", help="使用已运行的平台，例如 http://127.0.0.1:8000（默认自行启动）")
        parser.add_argument("--only", default="", help="只生成这些截图（逗号分隔的截图名）")
        parser.add_argument("--output", default=str(SCREENS), help="截图保存目录")

    def handle(self, *args, base_url=None, only="", output=str(SCREENS), **options):
        wanted = shots()
        if only:
            names = [n.strip() for n in only.split(",") if n.strip()]
            unknown = [n for n in names if n not in wanted]
            if unknown:
                raise CommandError(f"没有这些截图：{'、'.join(unknown)}；可用：{'、'.join(wanted)}")
            wanted = {n: wanted[n] for n in names}
        executable = chromium.executable()
        if executable is None:
            raise CommandError("未找到 Debian 的 chromium（apt-get install chromium）")
        server = None
        if base_url is None:
            self._ensure_demo()
            server = self._start_server()
            base_url = f"http://{server.host}:{server.port}"
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM beside Playwright's event loop
        try:
            self._in_own_thread(lambda: self._take(executable, base_url.rstrip("/"), wanted, out))
        finally:
            if previous is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            if server is not None:
                server.terminate()

    @staticmethod
    def _in_own_thread(work) -> None:
        """Playwright's sync API refuses a thread that already runs an event loop (a test session's
        browser, a notebook): a thread of its own always works."""
        failure = []

        def run():
            try:
                work()
            except BaseException as exc:  # handed back to the caller's thread below
                failure.append(exc)

        thread = threading.Thread(target=run, name="guide-screenshots")
        thread.start()
        thread.join()
        if failure:
            raise failure[0]

    def _ensure_demo(self) -> None:
        from accounts.models import User

        if User.objects.filter(username="clerk").exists():
            return
        if not settings.DEBUG:
            raise CommandError("数据库中没有演示数据；请在开发环境运行，或用 --base-url 指向演示平台")
        # as `make run` loads it: the district, its cases at every stage, the supervision demo
        for command in ("load_demo", "load_demo_cases", "load_supervision_demo"):
            call_command(command, stdout=self.stdout)

    def _start_server(self):
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.db import connections
        from django.test.testcases import LiveServerThread

        server = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override={
            alias: connections[alias] for alias in connections if connections[alias].vendor == "sqlite"
            and connections[alias].is_in_memory_db()})
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise CommandError(f"无法启动临时服务：{server.error}")
        return server

    def _take(self, executable: str, base_url: str, wanted: dict, out: Path) -> None:
        from playwright.sync_api import sync_playwright

        by_persona: dict[str | None, list] = {}
        for name, (guide, step) in wanted.items():
            by_persona.setdefault(None if step.as_visitor else guide.persona, []).append((name, step))
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright, executable)
            try:
                for persona, items in by_persona.items():
                    context = browser.new_context(base_url=base_url, locale="zh-CN",
                                                  viewport={"width": WIDTH, "height": HEIGHT})
                    context.set_default_timeout(20_000)
                    page = context.new_page()
                    if persona is not None:
                        self._login(page, persona)
                    for name, step in items:
                        page.goto(reverse(step.page, args=step.args))
                        page.wait_for_load_state("networkidle")
                        (out / f"{name}.png").write_bytes(shrink(page.screenshot()))
                        self.stdout.write(f"  {name}.png  {page.url}")
                    context.close()
            finally:
                browser.close()

    def _login(self, page, username: str) -> None:
        page.goto(reverse("accounts:login"))
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        if "/accounts/login/" in page.url:
            raise CommandError(f"演示账户 {username} 无法登录（密码应为演示密码）")
