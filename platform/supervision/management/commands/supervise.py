import datetime as dt

from django.core.management.base import BaseCommand, CommandError

# The exit status of a sweep that finished but had to skip rules it could not judge by.
SKIPPED_RULES_STATUS = 3


class Command(BaseCommand):
    help = "电子监察巡查：按监察规则判定全部在办办件、环节、特别程序和督办单，产生、升级、解除告警并发送通知。"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="按指定日期判定（YYYY-MM-DD，默认今天）")
        parser.add_argument("--kind", action="append", dest="kinds", help="只判定这些规则种类（可重复）")
        parser.add_argument("--full", action="store_true",
                            help="全面巡查：重建时钟行，核验全部日志哈希链，全部规则判定全部办件")
        parser.add_argument("--no-notify", action="store_true", help="不发送通知")

    def handle(self, *args, today=None, kinds=None, full=False, no_notify=False, **options):
        from supervision.services import sweep

        result = sweep(today=today, kinds=kinds, full=full, all_logs=full, notify=not no_notify,
                       progress=lambda msg: self.stdout.write(f"· {msg}"))
        summary = f"巡查完成（{result.today}）：新增 {result.raised}，升级 {result.escalated}，解除 {result.resolved}"
        if not result.skipped:
            self.stdout.write(self.style.SUCCESS(summary))
            return
        self.stdout.write(self.style.WARNING(f"{summary}；{len(result.skipped)} 条规则有误，已跳过："))
        for skipped in result.skipped:
            self.stdout.write(f"  - {skipped}")
        # after everything else ran: the scheduler sees the failure, the other rules were judged
        raise CommandError(f"巡查已完成，但跳过了 {len(result.skipped)} 条有误的监察规则（已产生告警）",
                           returncode=SKIPPED_RULES_STATUS)
