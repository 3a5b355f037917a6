from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "workdays"
    verbose_name = "工作日历"

    def ready(self):
        from core.demo import DemoLoader, demo_loaders

        def load_calendar(say):
            from .services import calendar_seed_from_package

            written = calendar_seed_from_package(actor=None)
            say(f"  工作日历：新录入 {len(written)} 个年度" if written else "  工作日历：已是最新")

        demo_loaders.register("calendar", DemoLoader(order=5, load=load_calendar))
