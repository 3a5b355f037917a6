"""Pages at a million cases on PostgreSQL: each the median and 95th percentile of 30 requests.

Seeds 1,000,000 cases (``seed_million.seed_cases``, set-based SQL; 80 % closed over two years, the
rest open and accepted in the last 20 days) into the database of ``DATABASE_URL`` unless it holds
them already, runs one supervision sweep so the dashboard has its alerts, then requests each page
in-process (Django's test client: the whole request, middleware, session, queries and template,
no network) 3 times to warm up and 30 times timed. Prints

* ``BENCH pages.seed_s.1m`` — seconds to seed the million cases (only when it seeded them);
* ``BENCH pages.<page>_ms.1m`` and ``BENCH pages.<page>_ms.1m_p95`` for
  ``case_list`` (``GET /api/v1/cases/`` as the window clerk, who sees cases only through the intake
  tasks at the window: the sparsest visibility of the demo roles), ``search_number`` (a whole
  case number), ``search_applicant`` (an applicant's full name), ``search_short_name`` (张三, a
  two-character name, which no trigram index serves), ``workbench`` (the handler's
  待办, with the three tabs' counts), ``workbench_all`` (the handler's 全部可见, open cases by
  deadline), ``workbench_done`` (the handler's 已办: the newest 5,000 of 200,000 cases acted on), ``dashboard`` (the efficiency office's), ``applicant_cases`` (张三's hall with his
  cases), ``applicant_hall_empty`` (李四's hall: no cases of his own) and ``results`` (审批结果公示,
  no login);
* the machine's load average before and after (2 shared cores: figures are noisy).

On SQLite it prints one line saying it was skipped. ``BENCH_PAGES=workbench,results`` measures
only the pages named (a quick check). ``BENCH_SCALE_CASES`` seeds another number of
cases (a quick check); the names keep ``1m`` only for a million.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# a throwaway benchmark database runs as production does (DEBUG off), with keys of its own
os.environ.setdefault("SECRET_KEY", "bench-pages-scale-only-" + "k" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

import _setup  # noqa: E402, I001 - sets Django up

import datetime as dt  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from django.db import connection  # noqa: E402

from seed_million import SEED_TODAY, seed_cases  # noqa: E402

TOTAL = int(os.environ.get("BENCH_SCALE_CASES", "1000000"))
SUFFIX = "1m" if TOTAL == 1_000_000 else f"{TOTAL // 1000}k"
WARM, TIMED = 3, 30


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def prepare() -> None:
    from django.core.management import call_command

    from core.demo import run_demo_loaders
    from designer.models import ApprovalItem
    from runtime.models import Case
    from supervision.models import Alert

    _setup.migrate()
    call_command("collectstatic", interactive=False, verbosity=0)  # pages link hashed static files
    if not ApprovalItem.objects.exists():
        run_demo_loaders(lambda _msg: None)
    have = Case.objects.count()
    if have < TOTAL:
        seed_cases(connection, TOTAL - have, closed_fraction=0.8)
        seconds = seed_cases.seconds
        print(f"已生成 {TOTAL - have} 件办件（{seconds:.1f} 秒）", flush=True)
        if have == 0:
            _setup.bench_line(f"pages.seed_s.{SUFFIX}", seconds, "s")
        with connection.cursor() as cursor:  # hint bits and the visibility map, as a settled table has
            for table in ("runtime_case", "runtime_task", "runtime_material", "accounts_applicant"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    if not Alert.objects.exists():
        from supervision.services import sweep

        started = time.perf_counter()
        result = sweep(today=dt.date.fromisoformat(SEED_TODAY), notify=False)
        print(f"巡查 {time.perf_counter() - started:.1f} 秒：告警 {result.raised}", flush=True)


def pages() -> dict[str, tuple[str | None, str]]:
    """page name → (username, or None for a visitor; path)."""
    from runtime.models import Case, Task

    clerk_case = Case.objects.filter(pk__in=Task.objects.filter(step_key="accept").values("case_id")[:1]).get()
    applicant = Case.objects.filter(number__contains="-S").select_related("applicant").order_by("pk")[500]
    return {
        "case_list": ("clerk", "/api/v1/cases/"),
        "search_number": ("clerk", f"/api/v1/cases/?q={clerk_case.number}"),
        "search_applicant": ("supervisor", f"/api/v1/cases/?q={applicant.applicant.name}"),
        # a person's two-character name: too short for a trigram (张三's cases among a million)
        "search_short_name": ("supervisor", "/api/v1/cases/?q=张三"),
        "workbench": ("handler", "/workbench/"),
        "workbench_all": ("handler", "/workbench/?tab=all"),
        # 已办 of someone with 200,000 done steps, all on closed cases behind 200,000 open ones
        "workbench_done": ("handler", "/workbench/?tab=done"),
        "dashboard": ("supervisor", "/supervision/"),
        "applicant_cases": ("zhangsan", "/hall/"),
        "applicant_hall_empty": ("lisi", "/hall/"),
        "results": (None, "/hall/results/"),
    }


def measure(username: str | None, path: str) -> list[float]:
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    if username:
        client.force_login(User.objects.get(username=username))
    timings = []
    for n in range(WARM + TIMED):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if n >= WARM:
            timings.append(elapsed)
    return timings


def main() -> int:
    if connection.vendor != "postgresql":
        print("跳过 bench_pages_scale：百万办件的页面基准只在 PostgreSQL 上测量（请设置 DATABASE_URL）")
        return 0
    print(f"数据库：{connection.vendor}；负载（1/5/15 分钟）：{load()}", flush=True)
    prepare()
    only = {name for name in os.environ.get("BENCH_PAGES", "").split(",") if name}
    for name, (username, path) in pages().items():
        if only and name not in only:
            continue
        timings = sorted(measure(username, path))
        median, p95 = statistics.median(timings), timings[math.ceil(0.95 * len(timings)) - 1]
        print(f"{name:22} {username or '访客':10} 中位数 {median:7.1f} ms  p95 {p95:7.1f} ms  {path}", flush=True)
        _setup.bench_line(f"pages.{name}_ms.{SUFFIX}", median, "ms")
        _setup.bench_line(f"pages.{name}_ms.{SUFFIX}_p95", p95, "ms")
    print(f"负载（1/5/15 分钟）：{load()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
