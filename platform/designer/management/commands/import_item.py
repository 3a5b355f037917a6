"""Load one JSON bundle and publish it: ``import_item <file>`` (refused whole when invalid)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import PlatformError
from designer.services import bundle_import


class Command(BaseCommand):
    help = "导入一个事项的 JSON 交换包并发布（无效时整体拒绝）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="交换包文件")

    def handle(self, *args, file, **options):
        try:
            bundle = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取交换包“{file}”：{exc}") from exc
        try:
            item, version = bundle_import(actor=None, bundle=bundle)
        except PlatformError as exc:
            lines = [exc.message] + [f"  {path}：{m}" for path, ms in exc.details.items() for m in ms]
            raise CommandError("\n".join(lines)) from exc
        if version is None:
            self.stdout.write(f"{item.code} {item.name}：与现行版本相同，未作修改")
        else:
            self.stdout.write(f"{item.code} {item.name}：已导入并发布第{version.number}版")
