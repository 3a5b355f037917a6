"""``python manage.py archive_export [--since DATE] -o DIR``: hand archive packages to the archive
system — each package's zip written as ``DIR/<办件编号>.zip``."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archives.selectors import packages_archived_since


class Command(BaseCommand):
    help = "导出电子档案归档包到目录（可只导出某日及以后归档的）"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="只导出此日期（YYYY-MM-DD）及以后归档的")
        parser.add_argument("-o", "--output", required=True, help="导出目录（不存在时创建）")

    def handle(self, *args, since, output, **options):
        try:
            day = dt.date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since 须为日期 YYYY-MM-DD，收到“{since}”") from None
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        count = 0
        for package in packages_archived_since(day).iterator():
            with package.file.open("rb") as source:
                (folder / package.filename).write_bytes(source.read())
            count += 1
        self.stdout.write(f"已导出 {count} 个归档包到 {folder}")
