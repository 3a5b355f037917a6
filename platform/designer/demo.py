"""Loads the demo items from fixtures/demo/items/*.json through the same import-and-publish
service the legal office uses (``bundle_import``); idempotent: an unchanged bundle is skipped."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from .defaults import ensure_online_classes, ensure_service_themes
from .models import OnlineClass, ServiceTheme
from .services import bundle_import


def demo_items_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "demo" / "items"


def load_demo_items(say) -> None:
    # Reference rows normally come from a migration; a flushed database (transactional tests,
    # a restored dump) gets them back here before any item refers to them.
    ensure_online_classes(OnlineClass)
    ensure_service_themes(ServiceTheme)
    for path in sorted(demo_items_dir().glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        item, version = bundle_import(actor=None, bundle=bundle)
        say(f"  {item.code} {item.name}：" + (f"已发布第{version.number}版" if version else "未变化"))
