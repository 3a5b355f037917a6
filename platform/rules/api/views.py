"""Thin API views over the rules engine: validate, test-run, and the palettes the designer shows."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.access import is_staff_member

from .. import selectors
from ..engine import explain, validate_rule
from ..schema import rule_variables, variables_from_schema
from .parsers import RuleJSONParser
from .serializers import SchemaRequest, TryRequest, ValidateRequest


class IsStaffMember(BasePermission):
    message = "只有工作人员可以使用规则工具"

    def has_permission(self, request, view):
        return is_staff_member(request.user)


def _variables(body: dict):
    return rule_variables(body.get("schema"), facts=body.get("facts", True))


@extend_schema(request=ValidateRequest, responses=inline_serializer("RuleValid", {"valid": serializers.BooleanField()}), summary="校验规则（保存前）")
@api_view(["POST"])
@parser_classes([RuleJSONParser])
@permission_classes([IsStaffMember])
def validate(request):
    body = ValidateRequest(data=request.data)
    body.is_valid(raise_exception=True)
    validate_rule(body.validated_data["rule"], variables=_variables(body.validated_data))
    return Response({"valid": True})


@extend_schema(request=TryRequest, responses=OpenApiTypes.OBJECT, summary="试算规则：逐步显示每个子表达式的结果")
@api_view(["POST"])
@parser_classes([RuleJSONParser])
@permission_classes([IsStaffMember])
def try_rule(request):
    """规则无效时返回 400（平台错误格式）；计算出错是试算结果的一部分（ok 为 false，error 为平台错误格式）。"""
    body = TryRequest(data=request.data)
    body.is_valid(raise_exception=True)
    values = body.validated_data
    outcome = explain(values["rule"], values["data"], variables=_variables(values), today=values.get("today"))
    return Response(outcome.as_json())


@extend_schema(request=SchemaRequest, responses=OpenApiTypes.ANY, summary="表单 JSON Schema 中可供规则读取的变量")
@api_view(["POST"])
@parser_classes([RuleJSONParser])
@permission_classes([IsStaffMember])
def schema_variables(request):
    body = SchemaRequest(data=request.data)
    body.is_valid(raise_exception=True)
    return Response(selectors.variables_json(variables_from_schema(body.validated_data["schema"])))


@extend_schema(responses=OpenApiTypes.ANY, summary="规则可用的运算（含说明和示例）")
@api_view(["GET"])
@permission_classes([IsStaffMember])
def operation_list(request):
    return Response(selectors.operations_json())


@extend_schema(responses=OpenApiTypes.ANY, summary="规则可读取的办件事实")
@api_view(["GET"])
@permission_classes([IsStaffMember])
def fact_list(request):
    return Response(selectors.facts_json())
