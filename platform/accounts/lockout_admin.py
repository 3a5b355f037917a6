"""The login-lockout records (django-axes) in the admin, in Chinese.

The library's strings are translated in ``platform/locale`` (it ships no Simplified Chinese); what
no catalogue can reach is named here and in ``lockout_apps`` (the section's title): the two computed
columns of the attempts list, whose headings axes derives from its method names."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin


class ChineseAccessAttemptAdmin(AccessAttemptAdmin):
    @admin.display(description="计数过期时间")
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description="状态")
    def status(self, obj):
        return super().status(obj)


def register_lockout_admin(site: admin.AdminSite) -> None:
    if site.is_registered(AccessAttempt):
        site.unregister(AccessAttempt)
    site.register(AccessAttempt, ChineseAccessAttemptAdmin)
