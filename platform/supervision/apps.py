from datetime import time, timedelta

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "电子监察"

    def ready(self):
        from core.schedule import PeriodicTask, periodic_tasks

        from . import checks, tasks  # noqa: F401  (registers the system checks and the Celery tasks)
        from .channels import register_channels
        from .deliveries import register_deliveries
        from .kinds import register_rule_kinds
        from .navigation import register_navigation
        from .panels import register_panels

        register_rule_kinds()
        register_channels()
        register_deliveries()
        register_panels()
        from runtime.certificates import certificate_expiring

        from .certificate_notices import tell_holders

        certificate_expiring.connect(tell_holders, dispatch_uid="supervision-certificate-expiring")
        register_navigation()
        if "supervision.sweep" not in periodic_tasks:
            periodic_tasks.register("supervision.sweep", PeriodicTask(
                task="supervision.sweep", every=timedelta(minutes=15),
                description="电子监察巡查：预警、黄牌、红牌、异常告警及通知"))
            periodic_tasks.register("supervision.full_sweep", PeriodicTask(
                task="supervision.full_sweep", every=timedelta(days=1), at=time(1, 0),
                description="电子监察全面巡查：重建时钟、核验全部日志哈希链、全部规则全部办件"))
            periodic_tasks.register("supervision.exchange_daily", PeriodicTask(
                task="supervision.exchange_daily", every=timedelta(days=1), at=time(2, 0), description="电子监察数据交换（每日批次）"))
        if "supervision.item_records" not in periodic_tasks:
            # After the full sweep (01:00): the guides show yesterday's completions each morning.
            periodic_tasks.register("supervision.item_records", PeriodicTask(
                task="supervision.item_records", every=timedelta(days=1), at=time(1, 30),
                description="事项办理公开数据：近12个月办结件数、平均用时、按时办结率、满意度（办事指南）"))
        if "supervision.performance_snapshot" not in periodic_tasks:
            periodic_tasks.register("supervision.performance_snapshot", PeriodicTask(
                task="supervision.performance_snapshot", every=timedelta(days=1), at=time(3, 0),
                description="绩效测评月度快照（上月，已有则不变）"))
        if "supervision.themes_deliver" not in periodic_tasks:
            # Daily at 06:00: the first run of a week (month) delivers it, the later ones nothing.
            periodic_tasks.register("supervision.themes_deliver", PeriodicTask(
                task="supervision.themes_deliver", every=timedelta(days=1), at=time(6, 0),
                description="专题监察定期运行（每周、每月各一次，发现通知效能办和相关部门）"))
