"""Rules engine: cached evaluation vs bare json-logic-qubit vs validating on every call, and a
compiled supervision rule vs per-case evaluation over 100 000 cases.

Prints ``BENCH rules.eval_cached_us``, ``rules.eval_library_us``, ``rules.eval_naive_us`` and
``rules.compiled_speedup`` (per-case Python time over compiled-query time), plus details.
The cases live in a throwaway table created for the run (an isolated model, dropped at the end),
in the benchmark database (SQLite under var/bench/, or DATABASE_URL).
"""

import _setup  # noqa: I001 - must come first: it sets Django up

import datetime as dt
import random
import sys
import time
import timeit

from django.db import connection, models, transaction
from django.test.utils import isolate_apps
from json_logic import jsonLogic

from rules import compile_to_q, evaluate_rule, truthy
from rules.engine import evaluate_uncached

# A typical 16-operation rule: and/or/if, comparisons, "in", dotted variables.
RULE = {"and": [
    {"in": [{"var": "case.channel"}, ["online", "window"]]},
    {"or": [
        {"<=": [{"var": "case.working_days_left"}, 2]},
        {"<": [{"var": "case.working_days_used"}, {"var": "case.time_limit"}]},
    ]},
    {"if": [{"==": [{"var": "applicant.type"}, "legal"]}, {">=": [{"var": "form.capital"}, 100]}, True]},
    {"!": {"var": "case.suspended"}},
]}
DATA = {
    "case": {"channel": "window", "working_days_left": 5, "working_days_used": 3, "time_limit": 20,
             "suspended": False},
    "applicant": {"type": "legal"},
    "form": {"capital": 150},
}

# A supervision warning: not suspended, in three departments, 2 working days or 20 % of the limit left.
WARNING = {"and": [
    {"!": {"var": "case.suspended"}},
    {"in": [{"var": "case.department"}, ["JB-SCJG", "JB-WJ", "JB-ZJ"]]},
    {"or": [
        {"<=": [{"var": "case.working_days_left"}, 2]},
        {"<=": [{"/": [{"var": "case.working_days_left"}, {"var": "case.time_limit"}]}, 0.2]},
    ]},
]}
FIELDS = {
    "case.suspended": "suspended",
    "case.department": "department",
    "case.working_days_left": "working_days_left",
    "case.time_limit": "time_limit",
}
CASES = 100_000


def per_call_us(fn, number: int = 20_000) -> float:
    return min(timeit.repeat(fn, number=number, repeat=7)) / number * 1e6


def bench_evaluation() -> None:
    assert jsonLogic(RULE, DATA) == evaluate_rule(RULE, DATA, key="bench:rule") is True
    cached = per_call_us(lambda: evaluate_rule(RULE, DATA, key="bench:rule"))
    by_text = per_call_us(lambda: evaluate_rule(RULE, DATA))
    library = per_call_us(lambda: jsonLogic(RULE, DATA))
    naive = per_call_us(lambda: evaluate_uncached(RULE, DATA), number=2_000)
    print(f"{'16-operation rule':<40}{'µs per evaluation':>20}")
    print(f"{'  cached (compiled, keyed)':<40}{cached:>20.2f}")
    print(f"{'  cached (compiled, keyed by its text)':<40}{by_text:>20.2f}")
    print(f"{'  bare json-logic-qubit':<40}{library:>20.2f}")
    print(f"{'  naive (validate + compile each call)':<40}{naive:>20.2f}")
    _setup.bench_line("rules.eval_cached_us", cached, "us")
    _setup.bench_line("rules.eval_library_us", library, "us")
    _setup.bench_line("rules.eval_naive_us", naive, "us")
    _setup.bench_line("rules.eval_cached_text_us", by_text, "us")


def make_cases(Case) -> None:
    rnd = random.Random(20260310)
    departments = ["JB-SCJG", "JB-WJ", "JB-ZJ", "JB-GA", "JB-MZ", "JB-RS"]
    rows = []
    for _ in range(CASES):
        limit = rnd.choice([5, 10, 20, 30, None])
        rows.append(Case(
            suspended=rnd.random() < 0.1,
            department=rnd.choice(departments),
            working_days_left=None if rnd.random() < 0.05 else rnd.randint(-5, 30),
            time_limit=limit,
        ))
    with transaction.atomic():
        Case.objects.bulk_create(rows, batch_size=5_000)


def bench_compiled_query() -> None:
    with isolate_apps("rules"):
        class BenchCase(models.Model):  # noqa: DJ008 - a throwaway table
            suspended = models.BooleanField()
            department = models.CharField(max_length=20)
            working_days_left = models.IntegerField(null=True)
            time_limit = models.IntegerField(null=True)

            class Meta:
                app_label = "rules"
                db_table = "bench_rules_case"

        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_rules_case")
        with connection.schema_editor() as editor:
            editor.create_model(BenchCase)
        try:
            started = time.perf_counter()
            make_cases(BenchCase)
            print(f"\n{CASES} cases written in {time.perf_counter() - started:.1f} s")
            run_compiled_query(BenchCase)
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(BenchCase)


def run_compiled_query(BenchCase) -> None:
    columns = ("pk", "suspended", "department", "working_days_left", "time_limit")

    def in_python() -> set:
        """What a sweep without compilation does: load every case, evaluate the rule on each."""
        selected = set()
        for pk, suspended, department, left, limit in BenchCase.objects.values_list(*columns).iterator(5_000):
            data = {"case": {"suspended": suspended, "department": department, "working_days_left": left,
                             "time_limit": limit}}
            if truthy(evaluate_rule(WARNING, data, key="bench:warning")):
                selected.add(pk)
        return selected

    def in_database() -> set:
        q = compile_to_q(WARNING, FIELDS, today=dt.date(2026, 3, 10))
        return set(BenchCase.objects.filter(q).values_list("pk", flat=True))

    python_runs, database_runs = [], []
    for _ in range(3):
        started = time.perf_counter()
        by_python = in_python()
        python_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        by_database = in_database()
        database_runs.append(time.perf_counter() - started)
        if by_python != by_database:
            print("编译后的查询与逐件计算选出的办件不同", file=sys.stderr)
            sys.exit(1)
    python_s, database_s = min(python_runs), min(database_runs)
    print(f"supervision warning rule over {CASES} cases ({connection.vendor}): {len(by_database)} selected, "
          "the same cases both ways")
    print(f"{'  per case in Python (load + evaluate)':<40}{python_s * 1000:>12.1f} ms")
    print(f"{'  compiled query':<40}{database_s * 1000:>12.1f} ms")
    _setup.bench_line("rules.compiled_python_ms", python_s * 1000, "ms")
    _setup.bench_line("rules.compiled_query_ms", database_s * 1000, "ms")
    _setup.bench_line("rules.compiled_speedup", python_s / database_s, "x")


if __name__ == "__main__":
    _setup.migrate()
    bench_evaluation()
    bench_compiled_query()
