"""The inbound data exchange over HTTP (docs/exchange.md, "Inbound"). Thin: parse, check access,
call ``inbound.batch_receive``, render its report."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.response import Response

from accounts.models import Department

from .. import inbound
from ..access import require_exchange_pusher
from .parsers import BatchJSONParser

_report = inline_serializer("InboundExchangeReport", {
    "batch_id": serializers.CharField(),
    "received": serializers.IntegerField(help_text="批次中的记录数"),
    "stored": inline_serializer("InboundExchangeStored", {
        "cases": serializers.IntegerField(help_text="新存入的办件"),
        "cases_updated": serializers.IntegerField(help_text="已有并更新的办件"),
        "events": serializers.IntegerField(help_text="新存入的事件"),
    }),
    "duplicates": serializers.ListField(child=serializers.IntegerField(), help_text="已接收过的事件的序号（不是错误）"),
    "ignored": serializers.ListField(child=serializers.IntegerField(), help_text="告警记录的序号（由本平台监察产生，不接收）"),
    "rejected": serializers.ListField(child=inline_serializer("InboundExchangeRejected", {
        "index": serializers.IntegerField(help_text="在 records 中的序号（从 0 起）"),
        "type": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.CharField()),
    })),
})


@extend_schema(
    summary="外部审批系统推送办件和事件（入站数据交换）",
    description="请求体为与每日导出相同格式的交换批次（docs/exchange.md，schemas/exchange-batch.schema.json）。"
                "批次头部（format、format_version、count、checksum 等）不符时整批拒收；"
                "记录逐条校验，错误的记录按序号报告，其余照常存入；重复推送的事件报告为重复，不重复存储。"
                "调用者须为推送单位（或其下属科室）的工作人员，或系统管理员。",
    parameters=[OpenApiParameter("department", str, OpenApiParameter.PATH, description="推送单位的机构编码"),
                OpenApiParameter("system", str, OpenApiParameter.PATH, description="来源系统标识（字母、数字、-_.）")],
    request={"application/json": {"type": "object", "description": "交换批次"}},
    responses={200: _report, 400: OpenApiResponse(description="JSON 有误，或批次头部不符（整批拒收）"),
               403: OpenApiResponse(description="无权推送该单位的数据")},
)
@api_view(["POST"])
@parser_classes([BatchJSONParser])
def inbound_batch(request, department: str, system: str):
    pusher = get_object_or_404(Department, code=department)
    require_exchange_pusher(request.user, pusher)
    report = inbound.batch_receive(department=pusher, system=system, payload=request.data, actor=request.user)
    return Response(report.as_dict())
