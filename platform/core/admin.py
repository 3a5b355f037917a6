"""Admin building blocks shared by the apps (Django's admin is for system administrators)."""


class ReadOnlyAdminMixin:
    """Records that change only through the platform's services (each with its checks, history
    and log) are shown in the admin, never added, edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
