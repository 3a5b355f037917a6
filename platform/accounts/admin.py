from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from import_export.admin import ImportExportModelAdmin
from import_export.resources import ModelResource
from simple_history.admin import SimpleHistoryAdmin

from core.spreadsheets import NeutralisedExportMixin

from .lockout_admin import register_lockout_admin
from .models import Applicant, Department, RoleAssignment, ServiceWindow, User


class DepartmentResource(NeutralisedExportMixin, ModelResource):
    class Meta:
        model = Department


@admin.register(Department)
class DepartmentAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["code", "name", "kind", "parent", "credit_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "credit_code"]
    autocomplete_fields = ["parent"]


@admin.register(ServiceWindow)
class ServiceWindowAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "department", "location", "is_active"]
    list_filter = ["department"]
    search_fields = ["code", "name"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(User)
class PlatformUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "kind", "department", "is_active"]
    list_filter = ["kind", "is_active", "department"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["full_name", "phone", "email", "kind", "department", "window"]}),
        ("权限", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "kind", "department", "password1", "password2"]}),
    ]
    inlines = [RoleAssignmentInline]


@admin.register(Applicant)
class ApplicantAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "id_number", "credit_code", "phone", "user"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number", "credit_code", "phone"]
    raw_id_fields = ["user"]


# django-axes registered its admin before ours (INSTALLED_APPS order): replace the attempts' one
register_lockout_admin(admin.site)
