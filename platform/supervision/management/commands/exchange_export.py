import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "电子监察数据交换：生成并发送自上一批以来全部办件变化的批次（或 --since 某日以来的补发批次，或 --resend 重发某批）。"

    def add_arguments(self, parser):
        parser.add_argument("--since", type=dt.date.fromisoformat, help="补发：某日（YYYY-MM-DD）以来的全部变化，不影响日常进度")
        parser.add_argument("--resend", metavar="BATCH_ID", help="按批次号重新发送已生成的批次")

    def handle(self, *args, since=None, resend=None, **options):
        from supervision.exchange import DeliveryFailed, batch_create, batch_deliver, exchange_daily
        from supervision.models import ExchangeBatch

        try:
            if resend:
                batch = ExchangeBatch.objects.filter(batch_id=resend).first()
                if batch is None:
                    raise CommandError(f"批次 {resend} 不存在")
                paths = [batch_deliver(batch=batch)]
            elif since:
                paths = [batch_deliver(batch=batch_create(since=since))]
            else:
                paths = exchange_daily()
        except DeliveryFailed as exc:  # recorded on the batch, which stays pending for the next run
            raise CommandError(f"发送失败（批次保留为待发送，下次按序重试）：{exc}") from exc
        for path in paths:
            batch = ExchangeBatch.objects.get(batch_id=str(path).rsplit("-", 1)[1].removesuffix(".json"))
            self.stdout.write(f"· 第{batch.sequence}批 {batch.batch_id}：{batch.count} 条，{batch.checksum} → {path}")
