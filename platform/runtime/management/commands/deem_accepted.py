"""``python manage.py deem_accepted``: the daily deemed-acceptance run (also a Celery beat task)."""

from django.core.management.base import BaseCommand

from runtime.services import cases_deem_accepted


class Command(BaseCommand):
    help = "对收件满5个工作日未作决定的办件依法视为受理"

    def handle(self, *args, **options):
        numbers = cases_deem_accepted()
        self.stdout.write(f"视为受理：{len(numbers)} 件" + ("（" + "、".join(numbers) + "）" if numbers else ""))
