from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "加载电子监察演示数据：一件已超过承诺时限的演示办件（在 load_demo 之后运行），并立即巡查一次。"

    def handle(self, *args, **options):
        from supervision.demo import load_demo
        from supervision.services import sweep

        load_demo(self.stdout.write)
        result = sweep(progress=lambda msg: self.stdout.write(f"· {msg}"))
        self.stdout.write(self.style.SUCCESS(f"巡查完成：新增告警 {result.raised}"))
