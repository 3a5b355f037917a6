from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "designer"
    verbose_name = "事项设计"

    def ready(self):
        from datetime import time, timedelta

        from core.demo import DemoLoader, demo_loaders
        from core.schedule import PeriodicTask, periodic_tasks

        from . import tasks  # noqa: F401  (registers the Celery tasks)
        from .certificate_operations import register_certificate_operations
        from .demo import load_demo_items
        from .fact_values import register_fact_values
        from .navigation import register_navigation
        from .palette import register_palette
        from .steps import register_step_types

        register_palette()
        register_step_types()
        register_certificate_operations()
        register_fact_values()
        register_navigation()
        demo_loaders.register("items", DemoLoader(order=20, load=load_demo_items))
        if "designer.purge_catalogue_uploads" not in periodic_tasks:
            periodic_tasks.register("designer.purge_catalogue_uploads", PeriodicTask(
                task="designer.purge_catalogue_uploads", every=timedelta(days=1), at=time(4, 0),
                description="清理试导入后未确认的事项目录文件（保留一天）"))
