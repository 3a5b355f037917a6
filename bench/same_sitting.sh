#!/usr/bin/env bash
# One sitting for every speed figure the docs may quote: the peers (../shared/peers, groups 1 and 2),
# the sweep anchor, `make bench` on SQLite and `make bench` on a throwaway PostgreSQL with the
# server's default durability (fsync and synchronous_commit on, as the peers' PostgreSQL), one after
# the other on a machine that should be doing nothing else.
#
#   bench/same_sitting.sh            # writes var/bench/sitting-<UTC stamp>/ and prints summary.md
#
# Env: PEERS_DIR (default ../shared/peers), SKIP_PEERS=1, SKIP_ANCHOR=1, SKIP_SQLITE=1, SKIP_PG=1,
# SKIP_FLOOR=1, SQLITE_BENCH_ONLY / PG_BENCH_ONLY (passed as BENCH_ONLY to that run of `make bench`).
# The summary states date, commit, machine and the load average before each part, so a figure copied
# into docs/ carries where it came from; a figure taken at a load average above ~0.5 is not a result.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/peers}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/var/bench/sitting-$STAMP"
mkdir -p "$OUT"
load() { cut -d' ' -f1-3 /proc/loadavg; }
note() { echo "$*" | tee -a "$OUT/summary.md"; }

note "# Same-sitting measurement $STAMP"
note ""
note "- date: $(date -Is)"
note "- commit: $(git -C "$ROOT" log -1 --format='%h %cI %s' | cut -c1-120)$(git -C "$ROOT" diff --quiet || echo ' (working tree changed)')"
note "- machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GB"
note "- load average at start: $(load)"

# --- 1. the peers and the platform through the peers' runner (its own throwaway PostgreSQL) ---
if [ "${SKIP_PEERS:-0}" != 1 ]; then
  note "- peers: started at $(date -u +%H:%M:%S), load $(load)"
  PEERS_OURS="$ROOT" "$PEERS_DIR/run.sh" --only 1,2 > "$OUT/peers.txt" 2>&1 || note "- peers: run.sh failed (see peers.txt)"
  cp "${PEERS_WORK:-$HOME/.cache/peers-work}/results.md" "$OUT/peers-results.md" 2>/dev/null || true
fi

# --- a throwaway PostgreSQL with default durability for the anchor and `make bench` ---
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
PGDIR="$(mktemp -d -t sitting-pg.XXXXXX)"
PG_PID=""
stop_pg() {
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
    kill -INT "$PG_PID"
    for _ in $(seq 1 120); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$PGDIR"
}
trap stop_pg EXIT
if [ "${SKIP_PG:-0}" != 1 ] || [ "${SKIP_ANCHOR:-0}" != 1 ]; then
  asuser=()
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDIR"; asuser=(runuser -u postgres --); fi
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "${asuser[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 > "$OUT/initdb.log" 2>&1
  "${asuser[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR" start > /dev/null && cp "$PGDIR/server.log" "$OUT/postgresql.log" 2>/dev/null || true
  PG_PID="$(head -1 "$PGDIR/data/postmaster.pid")"
  note "- PostgreSQL: $("$PGBIN/postgres" -V), default durability (fsync $(psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'show fsync'), synchronous_commit $(psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc 'show synchronous_commit'))"
fi

# --- 2. the sweep anchor: the hand-written single statement the sweep is held against ---
if [ "${SKIP_ANCHOR:-0}" != 1 ]; then
  note "- sweep anchor: started at $(date -u +%H:%M:%S), load $(load)"
  createdb -h 127.0.0.1 -p "$PORT" -U postgres anchor
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d anchor -f "$PEERS_DIR/sweep_anchor.sql" > "$OUT/anchor.txt" 2>&1 || true
  # the same statement a working day later: the reference for the periodic sweep
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d anchor -f "$ROOT/bench/sweep_anchor_next_day.sql" > "$OUT/anchor-next-day.txt" 2>&1 || true
  dropdb -h 127.0.0.1 -p "$PORT" -U postgres anchor
fi

# --- 3. make bench on SQLite, then on PostgreSQL ---
if [ "${SKIP_SQLITE:-0}" != 1 ]; then
  note "- make bench (SQLite${SQLITE_BENCH_ONLY:+, only $SQLITE_BENCH_ONLY}): started at $(date -u +%H:%M:%S), load $(load)"
  (cd "$ROOT" && BENCH_ONLY="${SQLITE_BENCH_ONLY:-}" make bench) > "$OUT/bench-sqlite.txt" 2>&1 || note "- make bench (SQLite) failed (see bench-sqlite.txt)"
fi
if [ "${SKIP_PG:-0}" != 1 ]; then
  createdb -h 127.0.0.1 -p "$PORT" -U postgres bench
  note "- make bench (PostgreSQL${PG_BENCH_ONLY:+, only $PG_BENCH_ONLY}): started at $(date -u +%H:%M:%S), load $(load)"
  (cd "$ROOT" && BENCH_ONLY="${PG_BENCH_ONLY:-}" DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/bench" make bench) > "$OUT/bench-postgresql.txt" 2>&1 \
    || note "- make bench (PostgreSQL) failed (see bench-postgresql.txt)"
fi
# --- 4. the floor under the engine: its statements replayed with no engine code, beside the engine
# and the peers' plain loop (bench/statement_floor.py; needs the peers' venv that step 1 made) ---
if [ "${SKIP_PG:-0}" != 1 ] && [ "${SKIP_FLOOR:-0}" != 1 ]; then
  note "- statement floor (PostgreSQL): started at $(date -u +%H:%M:%S), load $(load)"
  (cd "$ROOT" && PEERS_DIR="$PEERS_DIR" DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/floor" .venv/bin/python bench/statement_floor.py 300 3) \
    > "$OUT/statement-floor.txt" 2>&1 || note "- statement floor failed (see statement-floor.txt)"
fi
note "- ended at $(date -u +%H:%M:%S), load $(load)"

# --- the figures, side by side ---
{
  echo
  if [ -f "$OUT/peers-results.md" ]; then echo "## Peers (../shared/peers/run.sh --only 1,2)"; echo; cat "$OUT/peers-results.md"; echo; fi
  if [ -f "$OUT/anchor.txt" ]; then echo "## Sweep anchor (psql timings, ms)"; echo; echo '```'; grep -E '^(Time|INSERT|UPDATE)' "$OUT/anchor.txt" | tail -n 8; echo '```'; echo; fi
  if [ -f "$OUT/anchor-next-day.txt" ]; then echo "## Sweep anchor a working day later (psql timings, ms)"; echo; echo '```'; grep -E '^(Time|INSERT)' "$OUT/anchor-next-day.txt"; echo '```'; echo; fi
  for db in sqlite postgresql; do
    [ -f "$OUT/bench-$db.txt" ] || continue
    echo "## make bench ($db)"; echo; echo '```'; grep -E '^BENCH ' "$OUT/bench-$db.txt"; echo '```'; echo
  done
  if [ -f "$OUT/statement-floor.txt" ]; then echo "## The floor under the engine (bench/statement_floor.py)"; echo; echo '```'; grep -vE '^BENCH ' "$OUT/statement-floor.txt"; echo '```'; echo; fi
} >> "$OUT/summary.md"
cat "$OUT/summary.md"
echo "(kept in $OUT)"
