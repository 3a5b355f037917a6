"""Import this first in a benchmark: puts platform/ on sys.path and sets Django up.

Benchmarks run against a throwaway SQLite database under var/bench/ unless DATABASE_URL is set,
with DEBUG off (as in production) unless DEBUG is set.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "platform"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PLATFORM_VAR_DIR", str(ROOT / "var" / "bench"))
# As production runs: with DEBUG on, Django records every statement (and on SQLite asks the
# database to quote each one's parameters for that record), which is not the platform's cost.
os.environ.setdefault("DEBUG", "false")
# With DEBUG off the settings demand keys of the machine's own; a benchmark's throwaway database
# signs nothing that outlives it.
os.environ.setdefault("SECRET_KEY", "bench-only-throwaway-key-" + "b" * 40)
os.environ.setdefault("CASE_LOG_KEYS", "bench=bench-only-throwaway-case-log-key")
os.environ.setdefault("CERTIFICATE_KEYS", "bench=bench-only-throwaway-certificate-key")

import django  # noqa: E402

django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def bench_line(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.3f} {unit}", flush=True)
