"""Pages: the server time of the pages of a day's work, on the demo database (SQLite).

Loads the demo district as ``make run`` does (``load_demo`` and ``load_supervision_demo``, which
makes one overdue case) into a throwaway database under var/bench-pages/, then requests each page
through Django's test client — the whole middleware stack, the views, the templates — as the
person who opens it, and prints the median of ``ROUNDS`` requests after ``WARM`` unmeasured ones:

* ``BENCH pages.workbench_ms`` — the handler's workbench (待办, counts of the three tabs);
* ``BENCH pages.case_ms`` — the handler's page of the overdue case;
* ``BENCH pages.hall_ms`` — the service hall (catalogue) for a visitor;
* ``BENCH pages.guide_ms`` — an item's guide (flowchart included) for a visitor;
* ``BENCH pages.apply_ms`` — the application form for an applicant;
* ``BENCH pages.dashboard_ms`` — the supervision dashboard (charts) for the supervisor;
* ``BENCH pages.search_ms`` — the clerk's search of every visible case by an applicant's name.

DEBUG is off (as in production). Static files are named without the manifest (no collectstatic in
a throwaway folder); that naming is not a page's cost.
"""

import os
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and "DATABASE_URL" not in os.environ:
    shutil.rmtree(ROOT / "var" / "bench-pages", ignore_errors=True)
    os.environ["PLATFORM_VAR_DIR"] = str(ROOT / "var" / "bench-pages")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
os.environ.setdefault("CASE_LOG_KEYS", f"bench={secrets.token_urlsafe(32)}")

import _setup  # noqa: E402, I001 - sets Django up

WARM = 2
ROUNDS = 15
LIMIT_MS = 300  # issue 13: every page of the walk in at most 300 ms server time


def load() -> None:
    from django.core.management import call_command

    _setup.migrate()
    call_command("load_demo", verbosity=0)
    call_command("load_supervision_demo", verbosity=0)


def pages() -> list[tuple[str, str | None, str]]:
    from designer.models import ApprovalItem
    from runtime.models import Case

    case = Case.objects.order_by("pk").first()
    item = ApprovalItem.objects.get(code=case.item.code)
    return [
        ("workbench", "handler", "/workbench/"),
        ("case", "handler", f"/cases/{case.number}/"),
        ("hall", None, "/hall/"),
        ("guide", None, f"/hall/items/{item.code}/"),
        ("apply", "zhangsan", f"/hall/items/{item.code}/apply/"),
        ("dashboard", "supervisor", "/supervision/"),
        ("search", "clerk", f"/workbench/?tab=all&q={case.applicant.name[:2]}"),
    ]


def measure(username: str | None, url: str) -> float:
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        client.force_login(User.objects.get(username=username))
    timings = []
    for n in range(WARM + ROUNDS):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} 返回 {response.status_code}")
        if n >= WARM:
            timings.append(elapsed)
    return statistics.median(timings)


def main() -> int:
    import logging

    from django.test.utils import override_settings

    logging.getLogger("platform.request").setLevel(logging.WARNING)  # one JSON line per request otherwise
    from django.conf import settings

    load()
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise looks there at start
    slow = []
    with override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}):
        for name, username, url in pages():
            median = measure(username, url)
            _setup.bench_line(f"pages.{name}_ms", median, "ms")
            if median > LIMIT_MS:
                slow.append(name)
    if slow:
        print(f"超过 {LIMIT_MS} 毫秒的页面：{', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
