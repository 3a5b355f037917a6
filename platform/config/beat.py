"""Celery beat's scheduler: django-celery-beat's DatabaseScheduler, fed by the platform's registry.

Why the database: beat's default scheduler keeps the last run of each entry in a local shelve
file (``celerybeat-schedule``), so a lost or stale file, or a beat moved to another machine, moves
every duty. Kept in PostgreSQL, the schedule and each entry's last run survive restarts and
redeployments, are backed up with everything else, and are visible (and can be paused) in the
admin under 定时任务. No file is written anywhere.

At each start ``config.celery`` hands the registered duties (``core.schedule.periodic_tasks``) to
``beat_schedule`` and ``DatabaseScheduler.setup_schedule`` writes them into its tables (a daily
duty as a crontab in Asia/Shanghai, a frequent one as an interval), keeping their last runs. This
subclass adds two things: the frequent duties (the 15-minute sweep, the hourly deemed acceptance)
are due at start rather than one interval later, as ``LocalScheduler`` runs them; and a daily
duty that has never run counts from beat's first start (the library would count from the row's
last change, which every start makes, so a restart just after 02:00 would skip that night).
"""

from __future__ import annotations

from django_celery_beat.schedulers import DatabaseScheduler

from core.schedule import periodic_tasks


class RegistryScheduler(DatabaseScheduler):
    def setup_schedule(self):
        super().setup_schedule()
        start = self.app.now()
        for key, duty in periodic_tasks.items():
            if duty.at is None:
                self.Model.objects.filter(name=key).update(last_run_at=start - duty.every)
            else:  # counted from the first start, not from the row's last save (each start saves it)
                self.Model.objects.filter(name=key, last_run_at__isnull=True).update(last_run_at=start)
        self._schedule = self.all_as_schedule()
