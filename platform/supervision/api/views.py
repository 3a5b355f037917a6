"""The inbound data exchange over HTTP (docs/exchange.md, "Inbound"). Thin: parse, check access,
call ``inbound.batch_receive``, render its report."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.response import Response

from accounts.models import Department

from .. import inbound
from ..access import require_exchange_pusher, require_supervisor
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


@extend_schema(
    summary="监察大屏指标（机器可读）",
    description="与效能办监察大屏相同的指标：本平台办件（own）与各部门自建系统推送的办件（external）分别按办理单位的"
                "在办、超承诺期限、已办结，按状态计数，统计期内办结及按承诺期限办结数，按事项的平均用时（工作日），"
                "以及在办告警按责任单位和级别的计数。仅效能办监察员可查看。",
    parameters=[OpenApiParameter("on", OpenApiTypes.DATE, OpenApiParameter.QUERY,
                                 description="按哪一天计算（YYYY-MM-DD，默认今天）")],
    responses={200: OpenApiResponse(response=OpenApiTypes.OBJECT, description="指标"),
               400: OpenApiResponse(description="日期格式错误"), 403: OpenApiResponse(description="不是监察员")},
)
@api_view(["GET"])
def dashboard_figures(request):
    from django.utils import timezone

    from core.errors import InvalidInput

    from ..figures import dashboard_figures as figures

    require_supervisor(request.user)
    raw = request.query_params.get("on", "")
    try:
        on = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise InvalidInput("日期格式错误", details={"on": [f"应为 YYYY-MM-DD，收到 {raw!r}"]}) from None
    return Response(figures(on=on))
