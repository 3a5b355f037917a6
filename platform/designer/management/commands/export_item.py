"""Write a published item's JSON bundle: ``export_item <code> [-o file]`` or ``export_item --all -o <dir>``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from designer.bundles import export_bundle_text
from designer.models import ApprovalItem


class Command(BaseCommand):
    help = "导出已发布事项的 JSON 交换包（现行版本）"

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="事项编码")
        parser.add_argument("-o", "--output", help="输出文件（单个事项）或目录（--all）；省略则写到标准输出")
        parser.add_argument("--all", action="store_true", help="导出全部已发布事项，每个事项一个文件")

    def handle(self, *args, code=None, output=None, all=False, **options):
        if all:
            if not output:
                raise CommandError("使用 --all 时须用 -o 指定输出目录")
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            items = ApprovalItem.objects.filter(current_version__isnull=False).select_related("current_version")
            for item in items.order_by("code"):
                (folder / f"{item.code}.json").write_text(export_bundle_text(item), encoding="utf-8")
                self.stdout.write(f"{item.code} → {folder / (item.code + '.json')}")
            return
        if not code:
            raise CommandError("请指定事项编码，或使用 --all")
        item = ApprovalItem.objects.filter(code=code).select_related("current_version").first()
        if item is None:
            raise CommandError(f"事项“{code}”不存在")
        if item.current_version is None:
            raise CommandError(f"事项“{code}”尚未发布，没有可导出的版本")
        text = export_bundle_text(item)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
