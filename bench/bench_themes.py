#!/usr/bin/env python3
"""Thematic supervision (专题监察) at a million cases: one theme run, compiled to one query.

PostgreSQL only (``DATABASE_URL``); on SQLite a line says it is skipped, as the sweep's 1M lines do.
The cases are the project's 1M seed (``seed_sweep.seed_cases``: open and, with ``closed_fraction``,
delivered cases, each with its 承办 step); on top of it a small set-based step here gives one case
in 40 two returns from 审核 (done steps with the action ``return``), so the theme has something to
find in the course of a case. A database seeded by an earlier run is reused.

Prints
* ``BENCH supervision.theme_s.1m`` — a run of the theme "退回两次以上" (``case.returns >= 2``)
  over every case, open and closed: the total, the counts by department and by item, the weekly
  trend and the first page of cases, as the theme page reads them (goal ≤ 10 s, issue 17);
* ``BENCH supervision.theme_steps_s.1m`` — "已办结而承办环节未经办理" (a closed case whose 承办
  was never done: ``case.steps_done`` does not contain ``handle``), the same figures.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection

import _setup  # sets Django up

MILLION = 1_000_000
TODAY = dt.date(2026, 10, 13)
RETURNED_EVERY = 40  # one case in 40 returned twice


def seed_returns() -> int:
    """Two done 审核 steps with the action 'return' for every 40th seeded case (once)."""
    from runtime.models import Case, Task
    from seed_million import _insert

    if Task.objects.filter(action="return", opinion="材料需核实").exists():  # this step's own returns
        return 0
    qn = connection.ops.quote_name
    case_t, c_id = qn(Case._meta.db_table), qn("id")
    for minute in (11, 12):
        _insert(connection, Task, {
            "case_id": f"c.{c_id}", "step_key": "'review'", "step_name": "'审核'", "step_type": "'review'",
            "role": "'section_chief'", "department_id": f"c.{qn('department_id')}", "state": "'done'",
            "opened_at": f"c.{qn('submitted_at')} + INTERVAL '{minute} minutes'",
            "opened_on": f"c.{qn('received_on')}", "limit_days": "2",
            "completed_at": f"c.{qn('submitted_at')} + INTERVAL '{minute + 1} minutes'",
            "action": "'return'", "opinion": "'材料需核实'",
        }, f"FROM {case_t} c WHERE c.{c_id} %% {RETURNED_EVERY} = 0")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {qn(Task._meta.db_table)}")
    return Task.objects.filter(action="return", opinion="材料需核实").count() // 2


def timed_run(condition) -> tuple[float, int]:
    from supervision import theme_query

    scope = theme_query.Scope()
    started = time.perf_counter()
    found = theme_query.results(scope, condition, TODAY)
    list(found.cases[:20])
    return time.perf_counter() - started, found.total


def main() -> int:
    from core.demo import run_demo_loaders
    from runtime.models import Case
    from seed_million import seed_cases

    _setup.migrate()
    print(f"数据库：{connection.vendor}", flush=True)
    if connection.vendor != "postgresql":
        print("1 000 000 件的专题监察基准只在 PostgreSQL 上运行（设置 DATABASE_URL），SQLite 上跳过：supervision.theme_s.1m",
              flush=True)
        return 0
    run_demo_loaders(lambda _msg: None)
    have = Case.objects.count()  # the demo's few and the seed's (a database seeded before is reused)
    if have < MILLION:
        started = time.perf_counter()
        seed_cases(connection, MILLION - have, closed_fraction=0.3, today=TODAY)
        print(f"已生成 {MILLION - have} 件（其中约三成已办结），{time.perf_counter() - started:.1f} 秒", flush=True)
    returned = seed_returns()
    if returned:
        print(f"已为 {returned} 件加上两次退回", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds, total = timed_run({">=": [{"var": "case.returns"}, 2]})
    print(f"专题“退回两次以上”：发现 {total} 件，{seconds:.2f} 秒", flush=True)
    _setup.bench_line("supervision.theme_s.1m", seconds, "s")
    seconds, total = timed_run({"and": [{"==": [{"var": "case.state"}, "delivered"]},
                                        {"!": [{"in": ["handle", {"var": "case.steps_done"}]}]}]})
    print(f"专题“已办结而承办环节未经办理”：发现 {total} 件，{seconds:.2f} 秒", flush=True)
    _setup.bench_line("supervision.theme_steps_s.1m", seconds, "s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
