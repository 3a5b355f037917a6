"""Django admin (system administrators): the exchange batches with their delivery state and last
error, and the "deliver again" action (the same service as ``exchange_export --resend``)."""

from django.contrib import admin, messages

from core.admin import ReadOnlyAdminMixin

from .models import ExchangeBatch


@admin.register(ExchangeBatch)
class ExchangeBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sequence", "batch_id", "daily", "created_at", "count", "state", "attempts", "delivered_at",
                    "last_error"]
    list_filter = ["state", "daily"]
    search_fields = ["batch_id"]
    exclude = ["payload"]  # megabytes of records: the file in the outbox holds them
    actions = ["deliver_again"]

    @admin.action(description="重新发送所选批次（按序号顺序）", permissions=["view"])
    def deliver_again(self, request, queryset):
        from .exchange import DeliveryFailed, batch_deliver

        sent = []
        for batch in queryset.order_by("sequence"):
            try:
                batch_deliver(batch=batch)
            except DeliveryFailed as exc:  # recorded on the batch; later ones would overtake it
                if sent:
                    self.message_user(request, f"已发送第{'、'.join(sent)}批", messages.SUCCESS)
                self.message_user(request, f"第{batch.sequence}批发送失败，其后的批次未发送：{exc}", messages.ERROR)
                return
            sent.append(str(batch.sequence))
        self.message_user(request, f"已发送第{'、'.join(sent)}批", messages.SUCCESS)
