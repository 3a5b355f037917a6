from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "designer"
    verbose_name = "事项设计"

    def ready(self):
        from core.demo import DemoLoader, demo_loaders

        from .demo import load_demo_items
        from .palette import register_palette
        from .steps import register_step_types

        register_palette()
        register_step_types()
        demo_loaders.register("items", DemoLoader(order=20, load=load_demo_items))
