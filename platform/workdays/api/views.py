"""Working-day arithmetic and calendar maintenance over HTTP."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, parser_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.errors import InvalidInput

from .. import add_working_days, working_days_between
from ..models import CalendarYear
from ..services import calendar_import_year
from ..spreadsheet import parse_schedule


class AddQuery(serializers.Serializer):
    start = serializers.DateField(label="起始日期")
    days = serializers.IntegerField(label="工作日数", min_value=-3650, max_value=3650)


class BetweenQuery(serializers.Serializer):
    start = serializers.DateTimeField(label="起始时间")
    end = serializers.DateTimeField(label="结束时间")


class WorkdayDateOut(serializers.Serializer):
    date = serializers.DateField(label="日期")
    provisional = serializers.BooleanField(label="是否临时（跨越未录入日历的年份）")


class WorkdayCountOut(serializers.Serializer):
    working_days = serializers.IntegerField(label="工作日数")
    provisional = serializers.BooleanField(label="是否临时（跨越未录入日历的年份）")


class CalendarYearOut(serializers.Serializer):
    year = serializers.IntegerField(label="年份")
    source = serializers.CharField(label="来源")
    note = serializers.CharField(label="说明")
    updated_at = serializers.DateTimeField(label="更新时间")


class ImportResultOut(serializers.Serializer):
    year = serializers.IntegerField(label="年份")
    days = serializers.IntegerField(label="导入的天数")


class ImportUpload(serializers.Serializer):
    file = serializers.FileField(label="节假日安排表")
    note = serializers.CharField(label="说明", required=False, allow_blank=True, max_length=200)


@extend_schema(parameters=[AddQuery], responses=WorkdayDateOut, summary="起始日期之后第 N 个工作日")
@api_view(["GET"])
def add(request):
    query = AddQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    result = add_working_days(query.validated_data["start"], query.validated_data["days"])
    return Response({"date": result.value, "provisional": result.provisional})


@extend_schema(parameters=[BetweenQuery], responses=WorkdayCountOut, summary="两个时刻之间的工作日数")
@api_view(["GET"])
def between(request):
    query = BetweenQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    result = working_days_between(query.validated_data["start"], query.validated_data["end"])
    return Response({"working_days": result.value, "provisional": result.provisional})


@extend_schema(responses=CalendarYearOut(many=True), summary="已录入的年度工作日历")
@api_view(["GET"])
def years(request):
    rows = CalendarYear.objects.order_by("year").values("year", "source", "note", "updated_at")
    return Response(list(rows))


@extend_schema(request=ImportUpload, responses={201: ImportResultOut}, summary="从表格导入某年的节假日安排（整年替换）")
@api_view(["POST"])
@parser_classes([MultiPartParser])
def import_year(request, year: int):
    upload = ImportUpload(data=request.data)
    upload.is_valid(raise_exception=True)
    file = upload.validated_data["file"]
    if file.size > 1024 * 1024:
        raise InvalidInput("文件过大：节假日安排表不应超过 1 MB")
    entries = parse_schedule(file.read(), filename=file.name, year=year)
    calendar_import_year(actor=request.user, year=year, entries=entries, note=upload.validated_data.get("note", ""))
    return Response({"year": year, "days": len(entries)}, status=201)
