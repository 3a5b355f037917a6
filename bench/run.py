#!/usr/bin/env python3
"""Run every benchmark under bench/ (files named ``bench_*.py``), one process each.

Each benchmark is a script that sets Django up itself (``bench/_setup.py``), prints a readable
table if it likes, and prints each figure on a line of its own as ``BENCH <name> <value> <unit>``.
Benchmarks are never part of ``make test``.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("没有找到基准测试（bench/bench_*.py）")
        return 0
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    if failed:
        print("失败的基准测试：" + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
