#!/usr/bin/env python3
"""Run every benchmark under bench/ (files named ``bench_*.py``), one process each.

Each benchmark is a script that sets Django up itself (``bench/_setup.py``), prints a readable
table if it likes, and prints each figure on a line of its own as ``BENCH <name> <value> <unit>``.
Benchmarks are never part of ``make test``.

With ``DATABASE_URL`` on PostgreSQL each script gets a database of its own, named after the URL's
database and the script (``bench_bench_supervision``), created empty before it and dropped after it,
so one script's million cases never skew another's figures. ``BENCH_KEEP_DATABASES=1`` keeps them
(a script reuses what an earlier run seeded). ``BENCH_ONLY=pages,runtime`` runs only the scripts
whose names contain one of the words.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent


def postgres_admin(url: str):
    """A connection to the server's ``postgres`` database (to create and drop the scripts' own)."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def _own_database(url: str, script: str, keep: bool) -> str:
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'bench'}_{script}"
    with postgres_admin(url) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            admin.execute(f'DROP DATABASE "{name}"')
        if not exists or not keep:
            admin.execute(f'CREATE DATABASE "{name}"')
        # The last script's writes (a million cases, a dropped database) are flushed now rather than
        # by a checkpoint during this script's timing, where every durable commit would wait behind
        # it: the likely reason the engine made 21.6 lifecycles/s after the million-case scripts
        # against 37.0 in the peers' fresh server (the sitting of 2026-12-03 13:02 UTC).
        try:
            admin.execute("CHECKPOINT")
        except psycopg.Error:  # not a superuser: the figures are only noisier
            pass
    return urlunsplit(parts._replace(path="/" + name))


def _drop(url: str) -> None:
    with postgres_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}"')


def main() -> int:
    only = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
    scripts = [s for s in sorted(HERE.glob("bench_*.py")) if not only or any(w in s.stem for w in only)]
    if not scripts:
        print("没有找到基准测试（bench/bench_*.py）")
        return 0
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    keep = os.environ.get("BENCH_KEEP_DATABASES") == "1"
    failed = []
    for script in scripts:
        env = dict(os.environ)
        if postgres:
            env["DATABASE_URL"] = _own_database(url, script.stem, keep)
        print(f"== {script.name}", flush=True)
        try:
            if subprocess.run([sys.executable, str(script)], cwd=HERE.parent, env=env).returncode != 0:
                failed.append(script.name)
        finally:
            if postgres and not keep:
                _drop(env["DATABASE_URL"])
    if failed:
        print("失败的基准测试：" + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
