"""``python manage.py archive_verify FILE …``: check archive packages offline (no database)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archives.verify import verify_package


class Command(BaseCommand):
    help = "离线校验电子档案归档包：逐一核对清单密钥校验和、每个文件的 sha256 和办件日志哈希链"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="归档包（.zip）")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}：文件不存在")
                failed += 1
                continue
            report = verify_package(path)
            if report.ok:
                self.stdout.write(f"{name}：校验通过（{report.files} 个文件）")
                continue
            failed += 1
            for problem in report.problems:
                self.stderr.write(f"{name}：{problem}")
        if failed:
            raise CommandError(f"{failed} 个归档包校验失败（共 {len(files)} 个）")
