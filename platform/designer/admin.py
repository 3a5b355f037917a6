"""Django admin for system administrators: reference data editable, items and versions read-only
(items change only through the designer's services, which validate and review them)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin

from .models import ApprovalItem, CertificateType, ItemVersion, OnlineClass, ReviewRecord


@admin.register(OnlineClass)
class OnlineClassAdmin(SimpleHistoryAdmin):
    list_display = ["letter", "name", "online", "deferred"]


@admin.register(CertificateType)
class CertificateTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "issuing_item", "validity_months"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    pass


class ReadOnlyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows that are never changed once written (versions, reviews) keep no history: nothing to show."""


@admin.register(ApprovalItem)
class ApprovalItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "department", "item_type", "state", "current_version", "confidential"]
    list_filter = ["state", "item_type", "department", "confidential"]
    search_fields = ["code", "name"]


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyRecordAdmin):
    list_display = ["item", "number", "published_at", "published_by"]


@admin.register(ReviewRecord)
class ReviewRecordAdmin(ReadOnlyRecordAdmin):
    list_display = ["item", "action", "actor", "at"]
