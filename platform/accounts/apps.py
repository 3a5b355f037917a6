from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与组织"

    def ready(self):
        from core.demo import DemoLoader, demo_loaders

        from .demo import load_organisation

        demo_loaders.register("organisation", DemoLoader(order=10, load=load_organisation))
