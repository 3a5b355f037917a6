"""``python manage.py verify_case_log [NUMBER …]``: check the hash chain of cases' logs."""

from django.core.management.base import BaseCommand, CommandError

from runtime.caselog import verify_case_log
from runtime.models import Case


class Command(BaseCommand):
    help = "校验办件日志的哈希链（不带参数时校验全部办件）"

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="办件编号")

    def handle(self, *args, numbers, **options):
        cases = Case.objects.filter(number__in=numbers) if numbers else Case.objects.all()
        if numbers and cases.count() != len(set(numbers)):
            missing = set(numbers) - set(cases.values_list("number", flat=True))
            raise CommandError("办件不存在：" + "、".join(sorted(missing)))
        broken = 0
        for case in cases.iterator():
            result = verify_case_log(case)
            if not result.ok:
                broken += 1
                for problem in result.problems:
                    self.stderr.write(f"{case.number}：{problem}")
        total = cases.count()
        if broken:
            raise CommandError(f"{broken} 个办件的日志链校验失败（共 {total} 个）")
        self.stdout.write(f"日志链校验通过：{total} 个办件")
