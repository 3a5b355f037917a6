"""Impact preview (影响预览) over a million open cases: a tighter yellow card for the district,
judged by the rules in force and by the drafted ones over every open case (the sweep's compiled
queries over its clock rows, against the open alerts) and over six months of completed cases.

PostgreSQL only (``DATABASE_URL``); on SQLite a line says it is skipped. Seeds as the sweep's
1M benchmark seeds (``bench/seed_sweep.py``, ``seed_cases``: open cases and, here, a fifth as many
closed ones) up to 1 000 000 open cases (a database seeded by an earlier run is reused), sweeps the
case clocks once so the open alerts are there, then prints

* ``BENCH supervision.preview_s.1m`` — one ``impact_preview`` (clock rows brought up to date as
  the sweep would, both rules judged, the past period, all rolled back), and checks it wrote
  nothing (the alerts and clock rows counted before and after).
"""

import _setup  # noqa: I001 - sets Django up first

import datetime as dt  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from django.db import connection  # noqa: E402

TODAY = dt.date(2026, 10, 13)
OPEN = 1_000_000
CLOSED_FRACTION = 0.2  # of the seeded cases: 1 250 000 seeded give a million open


def main() -> int:
    if connection.vendor != "postgresql":
        print("影响预览基准只在 PostgreSQL 上运行（设置 DATABASE_URL），SQLite 上跳过：supervision.preview_s.1m", flush=True)
        return 0
    from core.demo import run_demo_loaders
    from designer.selectors import district_supervision_defaults
    from runtime.models import Case
    from seed_sweep import seed_cases
    from supervision import preview
    from supervision.models import Alert, ClockRow
    from supervision.services import sweep

    _setup.migrate()
    if not Case.objects.exists():
        run_demo_loaders(lambda _msg: None)
    have = Case.objects.filter(state="in_progress").count()
    if have < OPEN:
        started = time.perf_counter()
        seed_cases(connection, round((OPEN - have) / (1 - CLOSED_FRACTION)), closed_fraction=CLOSED_FRACTION)
        print(f"已生成办件（集合式写入 {time.perf_counter() - started:.1f} 秒）", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    opened = Case.objects.filter(state="in_progress").count()
    print(f"在办件 {opened} 件，已办结 {Case.objects.exclude(state='in_progress').count()} 件", flush=True)
    if not Alert.objects.filter(kind="case_clock").exists() or "--sweep" in sys.argv:
        started = time.perf_counter()
        sweep(today=TODAY, kinds=["case_clock"], verify_logs=False, notify=False)
        print(f"办件时限巡查 {time.perf_counter() - started:.1f} 秒", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from accounts.models import Role, RoleAssignment

    supervisor = RoleAssignment.objects.filter(role=Role.SUPERVISOR).select_related("user").first().user
    rules = district_supervision_defaults()
    rules["yellow_card"] = {"limit": "promised", "overdue_days_over": 0}
    change = preview.change_of_defaults(rules)
    before = (Alert.rows.count(), ClockRow.objects.count())
    period = (dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    started = time.perf_counter()
    result = preview.impact_preview(actor=supervisor, change=change, today=TODAY, period=period)
    seconds = time.perf_counter() - started
    assert (Alert.rows.count(), ClockRow.objects.count()) == before, "影响预览写入了数据"
    print(f"{opened} 件在办件的影响预览 {seconds:.2f} 秒：受影响 {result.changed_count} 件，"
          f"升级为黄牌 {result.proposed.total[('escalated', 2)]} 件", flush=True)
    _setup.bench_line("supervision.preview_s.1m", seconds, "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
