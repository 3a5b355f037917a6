from rest_framework import serializers

from accounts.models import Department

from ..models import ApprovalItem, CertificateType, ItemType, ItemVersion, ReviewRecord


class ItemSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    current_version = serializers.IntegerField(source="current_version.number", read_only=True, default=None)
    in_service = serializers.BooleanField(read_only=True, help_text="现行版本是否对外受理（有草稿或审核中时仍为是）")
    status_text = serializers.CharField(read_only=True, help_text="现行版本与工作副本的状态")

    class Meta:
        model = ApprovalItem
        fields = ["code", "name", "department", "item_type", "handling_type", "online_class", "confidential",
                  "statutory_limit_days", "promised_limit_days", "state", "state_label", "current_version",
                  "in_service", "status_text",
                  "updated_at"]


class ItemDetailSerializer(ItemSerializer):
    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "definition"]


class ItemCreateSerializer(serializers.Serializer):
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(),
                                              help_text="实施部门编码")
    item_type = serializers.ChoiceField(choices=ItemType.choices)
    name = serializers.CharField(max_length=200)


class DefinitionSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text="完整的事项定义，见 docs/schemas/item.schema.json")


class OpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="", help_text="审核意见或说明")


class VersionSerializer(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.display_name", read_only=True, default=None)

    class Meta:
        model = ItemVersion
        fields = ["number", "checksum", "published_at", "published_by", "opinion"]


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "document"]


class ReviewRecordSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", read_only=True, default=None)
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = ReviewRecord
        fields = ["action", "action_label", "actor", "opinion", "at"]


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    variables = serializers.ListField(child=serializers.CharField(), help_text="表单提供给规则的变量")


class CertificateTypeSerializer(serializers.ModelSerializer):
    # Created or changed by code through the service, so the code's uniqueness is not a refusal.
    code = serializers.CharField(max_length=40)

    class Meta:
        model = CertificateType
        fields = ["code", "name", "issuing_item", "validity_months"]
