from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "加载演示办件：食品经营许可的几件申请，分别停在受理、补正、承办、现场核查、审核、批准和已送达（在 load_demo 之后运行；可重复运行）。"

    def handle(self, *args, **options):
        from runtime.demo_cases import load_demo_cases

        made = load_demo_cases(self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"演示办件：新建 {made} 件"))
