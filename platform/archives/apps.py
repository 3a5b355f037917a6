from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = "电子档案"

    def ready(self):
        from datetime import timedelta

        from core.schedule import PeriodicTask, periodic_tasks
        from runtime.engine import case_changed

        from .tasks import case_changed as archive_if_ended

        case_changed.connect(archive_if_ended, dispatch_uid="archives-case-ended")
        if "archives.build_pending" not in periodic_tasks:
            # Every ten minutes: the default profile archives ended cases here (not in the request
            # that ended them); in production it catches a case whose queued task was lost.
            periodic_tasks.register("archives.build_pending", PeriodicTask(
                task="archives.build_pending", every=timedelta(minutes=10),
                description="电子档案：为已办结（送达、不予许可、撤回）且尚未归档的办件生成归档包"))
