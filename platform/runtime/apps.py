from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "runtime"
    verbose_name = "审批运行"

    def ready(self):
        from datetime import time, timedelta

        from django.db.models.signals import post_delete, post_save

        from accounts.models import Department
        from core.schedule import PeriodicTask, periodic_tasks
        from designer.models import ItemVersion
        from rules.facts import value_list
        from workdays.models import CalendarYear

        from .actions import register_actions
        from .behaviours import register_step_behaviours
        from .certificates import register_certificate_behaviours
        from .documents import register_document_templates
        from .engine import forget_definitions, forget_departments
        from .models import CaseState
        from .navigation import register_navigation
        from .tasks import calendar_changed_after_commit

        register_actions()
        register_step_behaviours()
        register_document_templates()
        register_certificate_behaviours()
        register_navigation()
        # the case states are the runtime's: rules naming case.state may use only these
        value_list("case.state", dict(CaseState.choices), closed=True)
        if "runtime.deem_accepted" not in periodic_tasks:
            # Hourly, so a receipt left alone is accepted within the hour after its 5th working
            # day ends (dated its receipt day anyway); the query reads only the overdue receipts.
            periodic_tasks.register("runtime.deem_accepted", PeriodicTask(
                task="runtime.deem_accepted", every=timedelta(hours=1),
                description="视为受理：收件后5个工作日内未作决定也未告知补正的，自收件之日起受理"))
        if "runtime.close_notices" not in periodic_tasks:
            # Hourly, so a notice ends within the first hour after its last day: the case moves
            # on (or goes to objection handling) that morning.
            periodic_tasks.register("runtime.close_notices", PeriodicTask(
                task="runtime.close_notices", every=timedelta(hours=1),
                description="公示期满：无异议的自动转入下一环节，有异议的转办理人处理"))
        if "runtime.certificate_expiry" not in periodic_tasks:
            # Daily after midnight: yesterday's last valid day has passed, and holders are told
            # in the morning that a certificate expires soon.
            periodic_tasks.register("runtime.certificate_expiry", PeriodicTask(
                task="runtime.certificate_expiry", every=timedelta(days=1), at=time(0, 30),
                description="证照到期：过期的证照标为已过期；即将到期的提醒持证人"))
        # The calendar app emits no domain event of its own; a year entered, replaced or removed
        # is the moment every stored clock must be recomputed (after commit, as a Celery task).
        post_save.connect(calendar_changed_after_commit, sender=CalendarYear, dispatch_uid="runtime-calendar-save")
        post_delete.connect(calendar_changed_after_commit, sender=CalendarYear,
                            dispatch_uid="runtime-calendar-delete")
        # Departments by code are cached for a minute (every step looks one up); a change here
        # clears this process's copy at once.
        post_save.connect(forget_departments, sender=Department, dispatch_uid="runtime-department-save")
        post_delete.connect(forget_departments, sender=Department, dispatch_uid="runtime-department-delete")
        # Parsed definitions are cached by version pk (published versions never change). Saving
        # a version row clears them, so a primary key reused after a rollback (SQLite in tests)
        # never finds another version's definition.
        post_save.connect(forget_definitions, sender=ItemVersion, dispatch_uid="runtime-version-save")
        post_delete.connect(forget_definitions, sender=ItemVersion, dispatch_uid="runtime-version-delete")
