"""The demo-data loaders that ``python manage.py load_demo`` runs, registered by each app.

Each app registers one loader in its ``AppConfig.ready()`` with an order (lower runs first: the
calendar and the organisation before the items that refer to them). Loaders must be idempotent:
running the command twice leaves the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .registry import Registry


@dataclass(frozen=True)
class DemoLoader:
    order: int
    load: Callable[[Callable[[str], None]], None]  # receives a function that prints progress


demo_loaders: Registry[DemoLoader] = Registry("演示数据加载器")


def run_demo_loaders(say: Callable[[str], None]) -> list[str]:
    ran = []
    for key, loader in sorted(demo_loaders.items(), key=lambda kv: (kv[1].order, kv[0])):
        say(f"· {key}")
        loader.load(say)
        ran.append(key)
    return ran
