import datetime as dt

from django.core.management.base import BaseCommand, CommandError


def _month(text: str) -> dt.date:
    return dt.date.fromisoformat(f"{text}-01")


class Command(BaseCommand):
    help = "绩效测评月度快照：冻结某个已结束月份（默认上月）的指标；已生成的月份保持不变。"

    def add_arguments(self, parser):
        parser.add_argument("--month", type=_month, help="月份 YYYY-MM（默认上月）")

    def handle(self, *args, month=None, **options):
        from core.errors import PlatformError
        from supervision import performance

        try:
            written = (performance.snapshot_month(month) if month is not None
                       else performance.snapshot_previous_month())
        except PlatformError as exc:
            raise CommandError(exc.said()) from exc
        self.stdout.write(f"绩效快照：写入 {written} 行" if written else "绩效快照：该月已有快照（或无数据），未改变")
