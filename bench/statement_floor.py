"""The floor under the engine on PostgreSQL: what its lifecycles' statements cost with no engine
Python at all, beside the engine itself and the peers' plain Django loop, round-robin in one run.

How: after a warm-up on database A, A is copied (CREATE DATABASE … TEMPLATE) to T, and N lifecycles
run on A while every statement psycopg is asked to execute (with its parameters and cursor),
every commit, rollback and autocommit switch is recorded. Each round then copies T twice: on one
copy the engine runs the same N lifecycles; on the other the recording is replayed with bare
psycopg (the same kind of cursor, the same prepared statements, every result fetched). A copy has
T's sequences, so the replay writes the same keys and rows, which is checked at the end. The
replay's time is the driver's and the server's only: the least any engine sending these
statements could take. The plain loop is ``../shared/peers/bench_wf_baseline.py`` in the peers'
venv (``~/.cache/peers-venv``, made by ``../shared/peers/run.sh``) on the same server; without
them the script says so and measures the other two.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/name python bench/statement_floor.py [N] [ROUNDS]

Needs the right to create databases (it makes ``<name>_floor_*`` and drops them at the end) and,
for the servers' CPU, a server on this machine. Not part of ``make bench``: it answers "how far
could the engine's own code still take us", not a goal's figure. N defaults to 300, ROUNDS to 3.
"""

import os
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.db import connection  # a proxy: nothing is read from the settings until it is used

import _setup  # sets Django up before anything imports models
import bench_runtime
from run import postgres_admin

PEERS = Path(os.environ.get("PEERS_DIR", _setup.ROOT.parent / "shared" / "peers"))
PEERS_PYTHON = Path.home() / ".cache" / "peers-venv" / "bin" / "python"
WARM_UP = 30


class Server:
    def __init__(self, url: str):
        self.parts = urlsplit(url)
        self.base = self.parts.path.lstrip("/") or "bench"

    def url(self, suffix: str) -> str:
        return urlunsplit(self.parts._replace(path=f"/{self.base}_floor_{suffix}"))

    def name(self, suffix: str) -> str:
        return f"{self.base}_floor_{suffix}"

    def admin(self):
        return postgres_admin(urlunsplit(self.parts))

    def fresh(self, suffix: str, template: str | None = None) -> None:
        with self.admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name(suffix)}"')
            admin.execute(f'CREATE DATABASE "{self.name(suffix)}"'
                          + (f' TEMPLATE "{self.name(template)}"' if template else ""))

    def drop(self, *suffixes: str) -> None:
        with self.admin() as admin:
            for suffix in suffixes:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name(suffix)}"')


def use_database(server: Server, suffix: str) -> None:
    """Point Django's connection at another of the script's databases (the next query connects)."""
    connection.close()
    connection.settings_dict["NAME"] = server.name(suffix)


def backend_cpu(raw) -> callable:
    """Seconds of CPU the server process behind ``raw`` has used (None: not on this machine)."""
    pid = raw.execute("SELECT pg_backend_pid()").fetchone()[0]

    def used():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return used


def timed(run, backend, n: int) -> dict:
    before, server, start = resource.getrusage(resource.RUSAGE_SELF), backend(), time.perf_counter()
    run()
    wall, after, server_after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF), backend()
    client = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"per_s": n / wall, "wall_ms": wall / n * 1000, "client_ms": client / n * 1000,
            "server_ms": None if server is None or server_after is None else (server_after - server) / n * 1000}


@contextmanager
def recording(events: list):
    """Record what psycopg is asked to do, in order. Patched on the driver's classes because the
    engine's hot path keeps its own prepared cursor (no execute wrapper sees it) and psycopg begins
    transactions implicitly (only the autocommit switch and commit show where they are)."""
    cursor, conn = psycopg.Cursor, psycopg.Connection
    saved = cursor.execute, cursor.executemany, conn.commit, conn.rollback, conn._set_autocommit

    def execute(self, query, params=None, *, prepare=None, binary=None):
        events.append(("execute", type(self), query, params, prepare))
        return saved[0](self, query, params, prepare=prepare, binary=binary)

    def executemany(self, query, params_seq, *, returning=False):
        params_seq = list(params_seq)
        events.append(("executemany", type(self), query, params_seq, None))
        return saved[1](self, query, params_seq, returning=returning)

    def commit(self):
        events.append(("commit",))
        return saved[2](self)

    def rollback(self):
        events.append(("rollback",))
        return saved[3](self)

    def set_autocommit(self, value):
        events.append(("autocommit", bool(value)))
        return saved[4](self, value)

    cursor.execute, cursor.executemany, conn.commit, conn.rollback, conn._set_autocommit = (
        execute, executemany, commit, rollback, set_autocommit)
    try:
        yield
    finally:
        cursor.execute, cursor.executemany, conn.commit, conn.rollback, conn._set_autocommit = saved


def replayer(events: list, url: str, autocommit: bool):
    """``(run, backend)``: ``run()`` sends the recording on a new connection to ``url``."""
    from runtime import rows

    raw = psycopg.connect(url, autocommit=autocommit)
    raw.prepare_threshold = 5  # as the engine's prepared cursor sets it
    raw.execute("SELECT set_config('TimeZone', 'UTC', false)")
    cursors = {}

    def cursor_like(kind):
        if kind not in cursors:  # the engine's prepared cursor, or Django's client-side one
            cursors[kind] = rows._PreparingCursor(raw) if issubclass(kind, rows._PreparingCursor) \
                else psycopg.ClientCursor(raw)
        return cursors[kind]

    def run():
        for event in events:
            what = event[0]
            if what in ("execute", "executemany"):
                cursor = cursor_like(event[1])
                if what == "executemany":
                    cursor.executemany(event[2], event[3])
                elif event[4] is None:
                    cursor.execute(event[2], event[3])
                else:
                    cursor.execute(event[2], event[3], prepare=event[4])
                if cursor.description is not None:
                    cursor.fetchall()
            elif what == "commit":
                raw.commit()
            elif what == "rollback":
                raw.rollback()
            else:
                raw.autocommit = event[1]

    return run, backend_cpu(raw), raw


def plain_loop(server: Server, n: int) -> dict | None:
    """The peers' plain Django loop, N lifecycles on the same server; None without the peers."""
    import json

    if not (PEERS / "bench_wf_baseline.py").exists() or not PEERS_PYTHON.exists():
        return None
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(PEERS_PG_PORT=str(server.parts.port or 5432), PEERS_DJPROJ=str(PEERS / "djproj"),
               PEERS_PG_DB=server.name("plain"))
    done = subprocess.run([str(PEERS_PYTHON), "bench_wf_baseline.py", "--db", "pg", "--n", str(n)], cwd=PEERS,
                          env=env, capture_output=True, text=True)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("RESULT ")]
    if not lines:
        print("平凡循环未能运行：" + (done.stdout + done.stderr)[-500:], file=sys.stderr)
        return None
    result = json.loads(lines[0].removeprefix("RESULT "))
    return {"per_s": n / result["seconds"], "wall_ms": result["seconds"] / n * 1000,
            "client_ms": result["cpu_s"] / n * 1000, "server_ms": result["pg_cpu_s"] / n * 1000}


def counts(url: str) -> tuple:
    with psycopg.connect(url) as raw:
        return tuple(raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                     for table in ("runtime_case", "runtime_task", "runtime_logentry"))


def show(label: str, figures: dict) -> None:
    server = "—" if figures["server_ms"] is None else f"{figures['server_ms']:.2f}"
    print(f"  {label:<34} {figures['per_s']:7.1f}/s  wall {figures['wall_ms']:6.2f} ms  "
          f"this process {figures['client_ms']:5.2f} ms  server {server} ms", flush=True)


def main() -> int:
    if connection.vendor != "postgresql":
        print("statement_floor: PostgreSQL only (DATABASE_URL=postgres://…); skipped")
        return 0
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    server = Server(os.environ["DATABASE_URL"])
    server.fresh("a")
    use_database(server, "a")
    lifecycle = bench_runtime.lifecycle_runner()
    for i in range(WARM_UP):
        lifecycle(i)
    connection.close()
    server.fresh("t", template="a")  # the state both the recording and every round start from
    events = []
    connection.ensure_connection()
    autocommit = connection.connection.autocommit
    with recording(events):
        for i in range(WARM_UP, WARM_UP + n):
            lifecycle(i)
    recorded = counts(server.url("a"))
    statements = sum(e[0].startswith("execute") for e in events)
    commits = sum(e[0] == "commit" for e in events)
    print(f"{n} lifecycles recorded: {statements / n:.1f} statements and {commits / n:.1f} commits each "
          "(besides those, each statement outside a transaction commits by itself)")

    results = {"engine": [], "replay": [], "plain": []}
    try:
        for round_no in range(1, rounds + 1):
            print(f"round {round_no}")
            server.fresh("c", template="t")
            use_database(server, "c")
            connection.ensure_connection()
            engine = timed(lambda: [lifecycle(i) for i in range(WARM_UP, WARM_UP + n)],
                           backend_cpu(connection.connection), n)
            connection.close()
            show("the engine", engine)
            server.fresh("b", template="t")
            run, backend, raw = replayer(events, server.url("b"), autocommit)
            replay = timed(run, backend, n)
            raw.close()
            if counts(server.url("b")) != recorded:
                print(f"重放写入的行数与录制时不同：{counts(server.url('b'))} ≠ {recorded}", file=sys.stderr)
                return 1
            show("its statements, replayed", replay)
            plain = plain_loop(server, n)
            if plain is not None:
                show("the plain Django loop (peers)", plain)
                results["plain"].append(plain)
            results["engine"].append(engine)
            results["replay"].append(replay)
    finally:
        connection.close()
        server.drop("a", "t", "b", "c", "plain")

    if results["plain"] and len(results["plain"]) < rounds:  # a round without it: no ratio pairs up
        print("the plain loop failed in a round; its figures are left out")
        results["plain"] = []

    def median(kind, key="per_s"):
        return statistics.median(r[key] for r in results[kind])

    def per_round(figure):  # a median of each round's own comparison: the machine drifts between rounds
        return statistics.median(figure(*row) for row in zip(*(results[k] for k in results if results[k]), strict=True))

    engine, replay = median("engine"), median("replay")
    own = per_round(lambda e, r, *_: e["wall_ms"] - r["wall_ms"])
    print(f"medians: the engine {engine:.1f}/s, its statements replayed {replay:.1f}/s; the engine's own code "
          f"{own:.2f} ms per lifecycle (median of each round's wall time less its replay's)")
    _setup.bench_line("runtime.floor.engine_per_s.postgresql", engine, "lifecycles/s")
    _setup.bench_line("runtime.floor.replay_per_s.postgresql", replay, "lifecycles/s")
    _setup.bench_line("runtime.floor.engine_own_ms.postgresql", own, "ms")
    if results["plain"]:
        plain = median("plain")
        engine_ratio = per_round(lambda e, r, p: e["per_s"] / p["per_s"])
        replay_ratio = per_round(lambda e, r, p: r["per_s"] / p["per_s"])
        # The engine's own code that 2x the plain loop leaves room for, in each round.
        room = per_round(lambda e, r, p: 1000 / (2 * p["per_s"]) - r["wall_ms"])
        print(f"against the plain loop ({plain:.1f}/s), medians of each round's ratio: the engine "
              f"{engine_ratio:.2f}×, its statements with no engine code {replay_ratio:.2f}×; 2× the plain loop "
              f"leaves {room:.2f} ms per lifecycle for the engine's own code")
        _setup.bench_line("runtime.floor.plain_loop_per_s.postgresql", plain, "lifecycles/s")
        _setup.bench_line("runtime.floor.engine_vs_plain.postgresql", engine_ratio, "x")
        _setup.bench_line("runtime.floor.replay_vs_plain.postgresql", replay_ratio, "x")
        _setup.bench_line("runtime.floor.room_at_2x_ms.postgresql", room, "ms")
    else:
        print("the peers' plain loop was not run (../shared/peers or ~/.cache/peers-venv missing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
