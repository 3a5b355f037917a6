from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = "电子档案"

    def ready(self):
        from runtime.engine import case_changed

        from .tasks import case_changed as archive_if_ended

        case_changed.connect(archive_if_ended, dispatch_uid="archives-case-ended")
