"""``python manage.py serve``: the development server plus, in the default profile, the
in-process scheduler that runs the periodic tasks Celery beat would run in production."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动平台（开发服务器）；未配置消息队列时，同时在进程内运行定时任务。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        # runserver's autoreloader runs this command in a child process (RUN_MAIN=true) that does
        # the serving; start the scheduler there only, so it runs once.
        if settings.CELERY_TASK_ALWAYS_EAGER and os.environ.get("RUN_MAIN") == "true":
            from celery import current_app  # the project's app (config.celery), without importing upwards

            from core.schedule import LocalScheduler, periodic_tasks

            LocalScheduler(current_app).start()
            self.stdout.write(f"进程内定时任务已启动：{', '.join(periodic_tasks.keys()) or '（暂无）'}")
        call_command("runserver", f"{host}:{port}")
