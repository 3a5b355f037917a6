from django.core.management.base import BaseCommand

from workdays.services import calendar_seed_from_package, package_years


class Command(BaseCommand):
    help = "从 chinese-calendar 软件包录入其已知年份的节假日与调休安排（已录入的年份默认不覆盖）。"

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true", help="覆盖已录入的年份")

    def handle(self, *args, overwrite=False, **options):
        written = calendar_seed_from_package(actor=None, overwrite=overwrite)
        known = package_years()
        self.stdout.write(f"软件包已知 {known.start}–{known.stop - 1} 年；本次录入：{written or '无'}")
