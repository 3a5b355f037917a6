from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与组织"

    def ready(self):
        from datetime import time, timedelta

        from django.db.models.signals import post_delete, post_save

        from core.demo import DemoLoader, demo_loaders
        from core.schedule import PeriodicTask, periodic_tasks

        from . import tasks  # noqa: F401  (registers the Celery tasks)
        from .access import forget_roles
        from .demo import load_organisation
        from .models import Department, RoleAssignment, User
        from .navigation import register_navigation

        register_navigation()
        demo_loaders.register("organisation", DemoLoader(order=10, load=load_organisation))
        if "accounts.purge_sheet_uploads" not in periodic_tasks:
            periodic_tasks.register("accounts.purge_sheet_uploads", PeriodicTask(
                task="accounts.purge_sheet_uploads", every=timedelta(days=1), at=time(4, 30),
                description="清理试导入后未确认的工作人员、单位表格（保留一天）"))
        # Roles also change outside the services (the admin's inline, a user deactivated there):
        # any saved or deleted role, user or unit makes every cached answer of accounts.access stale.
        for model in (RoleAssignment, User, Department):
            post_save.connect(forget_roles, sender=model, dispatch_uid=f"access-{model.__name__}-save")
            post_delete.connect(forget_roles, sender=model, dispatch_uid=f"access-{model.__name__}-delete")
