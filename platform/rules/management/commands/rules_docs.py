from django.core.management.base import BaseCommand

from rules.reference import docs_path, render


class Command(BaseCommand):
    help = "重新生成 docs/rules.md 中由运算和办件事实登记表生成的部分"

    def handle(self, *args, **options):
        path = docs_path()
        text = path.read_text(encoding="utf-8")
        updated = render(text)
        path.write_text(updated, encoding="utf-8")
        self.stdout.write("已更新" if updated != text else "无需更新")
