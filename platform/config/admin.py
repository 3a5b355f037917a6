"""The Django admin, for system administrators only, titled in Chinese."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class PlatformAdminSite(admin.AdminSite):
    site_header = "网上审批及电子监察平台 · 系统管理"
    site_title = "系统管理"
    index_title = "系统管理"

    def has_permission(self, request):
        from accounts.access import can_use_admin

        return can_use_admin(request.user)


class PlatformAdminConfig(AdminConfig):
    default_site = "config.admin.PlatformAdminSite"
