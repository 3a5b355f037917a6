"""Supervision sweep: set-based sweep time at 20 000 and 200 000 open cases, and the same rules
evaluated naively per case in Python.

Seeds open cases (each with one open step) by bulk_create into a throwaway database (SQLite under
var/bench-supervision/, or DATABASE_URL), with acceptance dates spread over the last 30 working
days so warnings, yellow and red cards all occur. Prints

* ``BENCH supervision.first_sweep_s.20k`` / ``.200k`` — the first sweep: clock rows built from
  nothing, every alert raised (most cases of this seed are warned or carded);
* ``BENCH supervision.sweep_s.20k`` / ``.200k`` — the sweep one working day later: every open case
  and step judged again, alerts escalated and raised as the clocks moved (the periodic sweep);
* ``BENCH supervision.sweep_again_s.200k`` — a second sweep that day (nothing changes);
* ``BENCH supervision.naive_s.200k`` — the same rules judged per case in Python that day: every open
  case and its steps loaded, working days counted by ``workdays``, each rule evaluated by the rules
  engine (compiled and cached) — and no writes at all;
* ``BENCH supervision.sweep_speedup`` — naive time over the periodic sweep's time at 200 000 cases.

At 1 000 000 open cases (PostgreSQL only: on SQLite a line says they are skipped), seeded set-based
by ``bench/seed_million.py`` up to a million, beside 250 000 closed ones:

* ``BENCH supervision.seed_s.1m`` — the seeding's time (1 250 000 cases);
* ``BENCH supervision.first_sweep_s.1m`` / ``sweep_s.1m`` / ``sweep_again_s.1m`` — as above;
* ``BENCH supervision.notify_s.1m`` — after that periodic sweep, telling the people responsible
  (``alerts_notify``: the alerts raised or escalated that day, summary notices beyond the limit);
* ``BENCH supervision.sweep_s.1m.partitions_N`` (N = 1, 2, 4) — the same periodic sweep from the
  same starting alerts, as N disjoint partitions (``supervision.partitions``) judged at once on N
  connections (threads), as N Celery workers would; each run's alerts are checked equal to the
  single sweep's: none lost, none twice.

``--1m-only`` skips the 20 000 / 200 000 part.
"""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__" and "DATABASE_URL" not in os.environ:
    shutil.rmtree(ROOT / "var" / "bench-supervision", ignore_errors=True)
    os.environ["PLATFORM_VAR_DIR"] = str(ROOT / "var" / "bench-supervision")

import _setup  # noqa: E402, I001 - sets Django up

import datetime as dt  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402

TODAY = dt.date(2026, 10, 13)  # the seed's today (seed_million.TODAY)
CLOSED_FRACTION = 0.2
NEXT = dt.date(2026, 10, 14)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def seed(start: int, count: int, context) -> None:
    import workdays
    from designer.selectors import applicable_units
    from runtime.models import Case, Material, Task

    rng = random.Random(start)
    item, version, department, applicant, section = context
    materials = [m for m in applicable_units(version.document)[0].materials if m["required"]]
    # accepted within the last 15 working days (promised 10, statutory 20); the current step opened
    # within the last 5 (limit 3): about a third of the cases are warned or carded
    accepted_days = [workdays.add_working_days(TODAY, -n).value for n in range(1, 16)]
    step_days = accepted_days[:5]
    due = {day: (workdays.add_working_days(day, 10).value, workdays.add_working_days(day, 20).value)
           for day in accepted_days}
    step_due = {day: workdays.add_working_days(day, 3).value for day in step_days}
    batch = 10_000
    for offset in range(start, start + count, batch):
        cases = []
        n = min(batch, start + count - offset)
        for i in range(offset, offset + n):
            accepted = rng.choice(accepted_days)
            promised, statutory = due[accepted]
            at = dt.datetime.combine(accepted, dt.time(9), tzinfo=SHANGHAI)
            cases.append(Case(
                number=f"BENCH-{i:07d}", verification_code="000000", item=item, version=version,
                unit_code=item.code, unit_name=item.name, department=department, applicant=applicant,
                channel="online", form_data={}, state="in_progress", submitted_at=at, received_on=accepted,
                acceptance_due_on=accepted, accepted_on=accepted, statutory_limit_days=20, promised_limit_days=10,
                statutory_due_on=statutory, promised_due_on=promised, log_length=0))
        Case.objects.bulk_create(cases, batch_size=2000)
        tasks = []
        for case in cases:  # bulk_create returned the keys (PostgreSQL, SQLite ≥ 3.35)
            opened = max(case.accepted_on, rng.choice(step_days))
            tasks.append(Task(case_id=case.pk, step_key="handle", step_name="承办", step_type="handle", role="handler",
                              department=section, opened_at=dt.datetime.combine(opened, dt.time(10), tzinfo=SHANGHAI),
                              opened_on=opened, limit_days=3, due_on=step_due[opened]))
        Task.objects.bulk_create(tasks, batch_size=2000)
        # every required material handed in (on paper), as the runtime's intake demands
        Material.objects.bulk_create([Material(case_id=case.pk, key=m["key"], name=m["name"], paper_original=True)
                                      for case in cases for m in materials], batch_size=5000)
    # last touched when accepted, like a real case waiting on a desk
    Case.objects.filter(number__startswith="BENCH-").update(updated_at=F("submitted_at"))


def context():
    from accounts.models import Applicant, Department
    from designer.models import ApprovalItem

    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    return (item, item.current_version, item.department, Applicant.objects.first(),
            Department.objects.get(code="JB-SCJG-SPXK"))


def timed_sweep(today) -> tuple[float, object]:
    from supervision.services import sweep

    started = time.perf_counter()
    result = sweep(today=today, notify=False, progress=lambda line: print(f"    {line}", flush=True))
    return time.perf_counter() - started, result


def naive() -> tuple[float, int]:
    """Every open case and its open steps, loaded and judged one by one by the same rules."""
    import workdays
    from designer.selectors import applicable_units, effective_supervision_rules, required_materials
    from rules import rule_holds
    from runtime.models import Case, Task
    from supervision.kinds import (
        DISTRICT_PRACTICE,
        CaseClock,
        LateAcceptance,
        MissingMaterials,
        MissingOpinion,
        _over,
        _warning,
    )

    started = time.perf_counter()
    late, missing = LateAcceptance.rule, MissingOpinion.rule
    rules_by_version = {}
    step = DISTRICT_PRACTICE["step"]
    step_rules = {1: _warning(step["warning_days"]), 2: _over(step["yellow_over"]), 3: _over(step["red_over"])}
    flagged = 0
    units_by_version = {}
    cases = Case.objects.filter(state="in_progress", paused_since__isnull=True).prefetch_related("materials")
    for case in cases.iterator(chunk_size=2000):
        levels = rules_by_version.get(case.version_id)
        if levels is None:
            levels = CaseClock.levels_for(effective_supervision_rules(case.version.document))
            rules_by_version[case.version_id] = levels
        data = {"clock": {
            "days_left": workdays.working_days_between(NEXT, case.promised_due_on).value,
            "statutory_days_left": workdays.working_days_between(NEXT, case.statutory_due_on).value,
            "limit_days": case.promised_limit_days, "statutory_limit_days": case.statutory_limit_days}}
        level = max((lv for lv, rule in levels.items() if rule_holds(rule, data, key=f"bench:{case.version_id}:{lv}")),
                    default=0)
        flagged += level > 0
        rule_holds(late, {"case": {"deemed_accepted": case.deemed_accepted,
                                   "corrections": case.corrections_before_acceptance}}, key="bench:late")
        # acceptance with required materials missing: the runtime's material check for the case's data
        units = units_by_version.get(case.version_id)
        if units is None:
            units = units_by_version[case.version_id] = {u.code: u for u in applicable_units(case.version.document)}
        provided = {m.key for m in case.materials.all()
                    if not m.superseded and (m.file or m.paper_original or m.certificate_id)}
        missing = [m for m in required_materials(units[case.unit_code].materials, case.form_data)
                   if m["key"] not in provided]
        rule_holds(MissingMaterials.rule, {"case": {"accepted": True, "missing_materials": len(missing)}},
                   key="bench:materials")
    for task in Task.objects.filter(case__state="in_progress").select_related("case").iterator(chunk_size=2000):
        if task.state == "open":
            data = {"clock": {"days_left": workdays.working_days_between(NEXT, task.due_on).value}}
            level = max((lv for lv, rule in step_rules.items() if rule_holds(rule, data, key=f"bench:step:{lv}")),
                        default=0)
            flagged += level > 0
        rule_holds(missing, {"step": {"state": task.state, "opinion": task.opinion, "type": task.step_type,
                                      "action": task.action}}, key="bench:missing")
    return time.perf_counter() - started, flagged


def scale_1m() -> None:
    import threading

    from runtime.models import Case
    from seed_million import seed_cases
    from supervision import clockrows
    from supervision.alert_notices import pending_alerts
    from supervision.models import Alert, JudgedDay
    from supervision.partitions import plan
    from supervision.services import alerts_notify, sweep_partition, sweep_prepare

    if connection.vendor != "postgresql":
        print("1 000 000 件的巡查基准只在 PostgreSQL 上运行（设置 DATABASE_URL），SQLite 上跳过：supervision.*.1m", flush=True)
        return
    have = Case.objects.filter(state="in_progress").count()
    if have < 1_000_000:  # (a database seeded by an earlier run is reused)
        # beside the open million, a quarter million closed ones (the sweep must not read them)
        total = round((1_000_000 - have) / (1 - CLOSED_FRACTION))
        seed_cases(connection, total, closed_fraction=CLOSED_FRACTION)
        seeded = seed_cases.seconds
        print(f"已生成 {total} 件办件（其中在办 {1_000_000 - have} 件），集合式写入 {seeded:.1f} 秒", flush=True)
        _setup.bench_line("supervision.seed_s.1m", seeded, "s")
    alert_table = connection.ops.quote_name(Alert._meta.db_table)
    with connection.cursor() as cursor:  # (delete() would load a million alerts to cascade)
        # (and the days judged: the district starts again on TODAY, its days go forward from it)
        cursor.execute(f"TRUNCATE {alert_table}, {connection.ops.quote_name(JudgedDay._meta.db_table)} CASCADE")
    clockrows.reset()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    first, result = timed_sweep(TODAY)
    print(f"1000000 件，{TODAY} 首次巡查 {first:.2f} 秒：新增告警 {result.raised}", flush=True)
    _setup.bench_line("supervision.first_sweep_s.1m", first, "s")
    with connection.cursor() as cursor:  # the first day's alerts told, as the scheduled sweep's notices do
        cursor.execute(f"UPDATE {alert_table} SET notified_level = level")
    with connection.cursor() as cursor:  # the alerts after the first sweep: each periodic run starts from them
        cursor.execute(f"DROP TABLE IF EXISTS bench_alerts_first; CREATE TABLE bench_alerts_first AS "
                       f"SELECT * FROM {alert_table}")

    def restore() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {alert_table} CASCADE")
            cursor.execute(f"INSERT INTO {alert_table} SELECT * FROM bench_alerts_first")
            cursor.execute(f"VACUUM ANALYZE {alert_table}")

    def open_alerts() -> list[tuple]:
        return sorted(Alert.objects.filter(resolved_at__isnull=True).values_list("kind", "subject_id", "level"))

    seconds, result = timed_sweep(NEXT)
    print(f"1000000 件，{NEXT} 巡查 {seconds:.2f} 秒：新增 {result.raised}，升级 {result.escalated}，"
          f"解除 {result.resolved}", flush=True)
    _setup.bench_line("supervision.sweep_s.1m", seconds, "s")
    # The scheduled sweep then tells the people responsible (the sweeps timed here do not):
    # one summary per person beyond SUPERVISION_DIGEST_OVER, every alert marked told.
    told = pending_alerts().count()
    started = time.perf_counter()
    written = alerts_notify()
    notify_s = time.perf_counter() - started
    print(f"1000000 件，{NEXT} 巡查后通知 {notify_s:.2f} 秒：{told} 条告警新产生或升级，写入通知 {written} 条", flush=True)
    _setup.bench_line("supervision.notify_s.1m", notify_s, "s")
    expected = open_alerts()
    again, result = timed_sweep(NEXT)
    assert result.raised == result.escalated == result.resolved == 0, result
    _setup.bench_line("supervision.sweep_again_s.1m", again, "s")

    for parts in (1, 2, 4):
        restore()
        started = time.perf_counter()
        changes = sweep_prepare()
        since = None if changes.full else changes.since
        failures = []

        def run(part, since=since, failures=failures):
            try:
                sweep_partition(part=part, changed_since=since, today=NEXT, notify=False)
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(exc)
            finally:
                connection.close()  # this thread's own connection

        threads = [threading.Thread(target=run, args=(part,)) for part in plan(parts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        assert not failures, failures
        got = open_alerts()
        assert got == expected, f"{parts} 个分区的告警与单次巡查不同：{len(got)} / {len(expected)}"
        print(f"1000000 件，{NEXT} 巡查分 {parts} 个分区同时进行 {seconds:.2f} 秒（告警与单次巡查一致：{len(got)} 条未解除）",
              flush=True)
        _setup.bench_line(f"supervision.sweep_s.1m.partitions_{parts}", seconds, "s")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_alerts_first")


def main() -> int:
    from core.demo import run_demo_loaders
    from runtime.models import Case
    from supervision import clockrows
    from supervision.models import Alert, JudgedDay

    _setup.migrate()
    run_demo_loaders(lambda _msg: None)
    ctx = context()
    print(f"数据库：{connection.vendor}", flush=True)
    if "--1m-only" in sys.argv:
        scale_1m()
        return 0
    timings = {}
    for total in (20_000, 200_000):
        have = Case.objects.count()
        started = time.perf_counter()
        seed(have, total - have, ctx)
        print(f"已生成 {total} 件在办件（{time.perf_counter() - started:.1f} 秒）", flush=True)
        Alert.rows.all().delete()
        JudgedDay.objects.all().delete()
        clockrows.reset()
        first, result = timed_sweep(TODAY)
        print(f"{total} 件，{TODAY} 首次巡查 {first:.2f} 秒：新增告警 {result.raised}", flush=True)
        _setup.bench_line(f"supervision.first_sweep_s.{total // 1000}k", first, "s")
        seconds, result = timed_sweep(NEXT)
        timings[total] = seconds
        print(f"{total} 件，{NEXT} 巡查 {seconds:.2f} 秒：新增 {result.raised}，升级 {result.escalated}，"
              f"解除 {result.resolved}", flush=True)
        _setup.bench_line(f"supervision.sweep_s.{total // 1000}k", seconds, "s")
    again, result = timed_sweep(NEXT)
    assert result.raised == result.escalated == result.resolved == 0, result
    _setup.bench_line("supervision.sweep_again_s.200k", again, "s")
    naive_s, flagged = naive()
    raised = Alert.objects.filter(kind__in=["case_clock", "step_clock"], resolved_at__isnull=True).count()
    assert flagged == raised, (flagged, raised)
    _setup.bench_line("supervision.naive_s.200k", naive_s, "s")
    _setup.bench_line("supervision.sweep_growth_200k_over_20k", timings[200_000] / timings[20_000], "x")
    _setup.bench_line("supervision.sweep_speedup", naive_s / timings[200_000], "x")
    scale_1m()
    return 0


if __name__ == "__main__":
    sys.exit(main())
