"""Request bodies of the rules API. Rules and data are taken as raw JSON (no re-encoding, which
could recurse on deep input); the rules engine itself validates them."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.ANY)  # any JSON value: a rule, a schema, sample data
class RawJSONField(serializers.Field):
    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class ValidateRequest(serializers.Serializer):
    rule = RawJSONField(label="规则（json-logic）")
    schema = RawJSONField(label="表单 JSON Schema", required=False, allow_null=True)
    facts = serializers.BooleanField(label="可读取办件事实", required=False, default=True)

    def validate_schema(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError("表单 JSON Schema 必须是对象")
        return value


class TryRequest(ValidateRequest):
    data = RawJSONField(label="样例数据", required=False, default=dict)
    today = serializers.DateField(label="把“今天”设为", required=False, allow_null=True)


class SchemaRequest(serializers.Serializer):
    schema = RawJSONField(label="表单 JSON Schema")

    def validate_schema(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("表单 JSON Schema 必须是对象")
        return value
