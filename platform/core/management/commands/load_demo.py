from django.core.management.base import BaseCommand

from core.demo import run_demo_loaders


class Command(BaseCommand):
    help = "加载演示区的数据（工作日历、单位、窗口、人员、申请人以及各应用登记的演示数据），可重复执行。"

    def handle(self, *args, **options):
        self.stdout.write("加载演示数据：")
        ran = run_demo_loaders(self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"完成，共 {len(ran)} 部分。"))
