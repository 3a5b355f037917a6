"""Thin API views for the designer: parse, check access, call one service or selector, render.

Permissions are the pages' permissions, from ``designer.access``.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from core import spreadsheets
from rules import variables_from_schema

from .. import access, catalogue, rulesets, selectors, services
from ..bundles import export_bundle
from ..models import ApprovalItem, CertificateType
from ..validation import ruleset_problems, structural_problems, validate_definition
from .serializers import (
    CertificateTypeSerializer,
    DefinitionSerializer,
    ItemCreateSerializer,
    ItemDetailSerializer,
    ItemSerializer,
    OpinionSerializer,
    ReviewRecordSerializer,
    ValidationResultSerializer,
    VersionDetailSerializer,
    VersionSerializer,
)


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """审批事项。部门事项编辑看到并编辑本部门的事项；法制办审核员看到全部事项并负责审核、发布和停用。"""

    lookup_field = "code"
    lookup_value_regex = "[A-Z0-9-]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        access.require_designer(request.user)

    def get_queryset(self):
        return selectors.items_for(self.request.user)

    def get_serializer_class(self):
        return ItemDetailSerializer if self.action == "retrieve" else ItemSerializer

    def get_object(self):
        item = get_object_or_404(ApprovalItem.objects.select_related("department", "current_version"),
                                 code=self.kwargs["code"])
        access.require_view_item(self.request.user, item)
        return item

    @extend_schema(request=ItemCreateSerializer, responses={201: ItemDetailSerializer})
    def create(self, request):
        data = ItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.item_create(actor=request.user, **data.validated_data)
        return Response(ItemDetailSerializer(item).data, status=201)

    @extend_schema(request=DefinitionSerializer, responses={200: ItemDetailSerializer})
    @action(detail=True, methods=["put"])
    def definition(self, request, code=None):
        """替换事项的工作副本（整体校验，有错误时不保存任何内容）。"""
        data = DefinitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.item_update(actor=request.user, item=self.get_object(),
                                    definition=data.validated_data["definition"])
        return Response(ItemDetailSerializer(item).data)

    @extend_schema(request=OpinionSerializer, responses={200: ItemSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, code=None):
        """提交法制办审核。"""
        item = services.item_submit_for_review(actor=request.user, item=self.get_object(),
                                               note=self._opinion(request))
        return Response(ItemSerializer(item).data)

    @extend_schema(request=OpinionSerializer, responses={200: ItemSerializer})
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, code=None):
        """法制办退回修改（须填写意见）。"""
        item = services.item_send_back(actor=request.user, item=self.get_object(), opinion=self._opinion(request))
        return Response(ItemSerializer(item).data)

    @extend_schema(request=OpinionSerializer, responses={200: VersionSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, code=None):
        """法制办审核通过并发布新版本（须填写意见）。"""
        version = services.item_publish(actor=request.user, item=self.get_object(), opinion=self._opinion(request))
        return Response(VersionSerializer(version).data)

    @extend_schema(request=OpinionSerializer, responses={200: ItemSerializer})
    @action(detail=True, methods=["post"])
    def retire(self, request, code=None):
        """停用事项（须说明理由）。已受理的办件仍按原版本办理。"""
        item = services.item_retire(actor=request.user, item=self.get_object(), reason=self._opinion(request))
        return Response(ItemSerializer(item).data)

    @extend_schema(responses={200: VersionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def versions(self, request, code=None):
        return Response(VersionSerializer(self.get_object().versions.select_related("published_by"), many=True).data)

    @extend_schema(responses={200: VersionDetailSerializer})
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request, code=None, number=None):
        version = get_object_or_404(self.get_object().versions, number=number)
        return Response(VersionDetailSerializer(version).data)

    @extend_schema(responses={200: ReviewRecordSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def reviews(self, request, code=None):
        return Response(ReviewRecordSerializer(self.get_object().reviews.select_related("actor"), many=True).data)

    @extend_schema(responses={200: OpenApiResponse(description="交换包（docs/schemas/bundle.schema.json）")})
    @action(detail=True, methods=["get"])
    def bundle(self, request, code=None):
        """现行版本的 JSON 交换包。"""
        item = self.get_object()
        if item.current_version is None:
            return Response({"code": "not_published", "message": "事项尚未发布", "details": {}}, status=404)
        return Response(export_bundle(item))

    @staticmethod
    def _opinion(request) -> str:
        data = OpinionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data["opinion"]


@extend_schema(request=DefinitionSerializer, responses={200: ValidationResultSerializer})
@api_view(["POST"])
def validate(request):
    """校验一份事项定义而不保存：有错误时返回 400 和按路径列出的错误。"""
    access.require_designer(request.user)
    data = DefinitionSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    definition = data.validated_data["definition"]
    validate_definition(definition)
    return Response({"valid": True, "variables": sorted(variables_from_schema(definition["form"]["schema"]))})


@extend_schema(request=OpenApiTypes.OBJECT, responses={200: ItemSerializer})
@api_view(["POST"])
def import_bundle(request):
    """导入一个交换包并发布（法制办审核员）。无效时整体拒绝。"""
    item, version = services.bundle_import(actor=request.user, bundle=request.data)
    return Response({**ItemSerializer(item).data, "published": version is not None})


@extend_schema(responses={200: ItemSerializer(many=True)})
@api_view(["GET"])
def review_queue(request):
    """待法制办审核的事项。"""
    access.require_reviewer(request.user)
    return Response(ItemSerializer(selectors.review_queue(), many=True).data)



@extend_schema(parameters=[OpenApiParameter("file_format", enum=["xlsx", "csv"], default="xlsx")],
               responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
@api_view(["GET"])
def catalogue_export(request):
    """导出事项目录（本人可见的事项）为 Excel 或 CSV。"""
    access.require_designer(request.user)
    file_format = "csv" if request.query_params.get("file_format") == "csv" else "xlsx"
    content = catalogue.export_catalogue(selectors.items_for(request.user), file_format=file_format)
    return spreadsheets.download(content, f"catalogue.{file_format}")


class CatalogueImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="导出的目录文件（xlsx 或 csv）")
    dry_run = serializers.BooleanField(default=True, help_text="试导入：只检查并报告，不保存")


class CatalogueReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())


@extend_schema(request={"multipart/form-data": CatalogueImportSerializer}, responses={200: CatalogueReportSerializer})
@api_view(["POST"])
def catalogue_import(request):
    """导入事项目录。任何一行有错误时返回 400 并逐行列出错误，不导入任何数据。"""
    access.require_designer(request.user)
    data = CatalogueImportSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    upload = data.validated_data["file"]
    report = catalogue.catalogue_import(actor=request.user, content=upload.read(), filename=upload.name,
                                        dry_run=data.validated_data["dry_run"])
    return Response(CatalogueReportSerializer(report).data)


class SupervisionTestRunSerializer(serializers.Serializer):
    rules = serializers.JSONField(help_text="事项的监察规则（未设的项取全区默认值），见 docs/schemas/ruleset.schema.json")
    limit_days = serializers.IntegerField(min_value=0, help_text="承诺时限（工作日）")
    statutory_limit_days = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None,
                                                    help_text="法定时限（工作日；不填则同承诺时限）")
    used_days = serializers.IntegerField(min_value=0, help_text="受理后已用（工作日）")
    facts = serializers.JSONField(required=False, default=dict, help_text="某一步骤的事实，如 {\"step\": {\"opinion\": \"\"}}")


class SupervisionTestRunResultSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["green", "warning", "yellow", "red"])
    remaining_days = serializers.IntegerField()
    anomalies = serializers.ListField(child=serializers.CharField())


@extend_schema(request=SupervisionTestRunSerializer, responses={200: SupervisionTestRunResultSerializer})
@api_view(["POST"])
def supervision_test_run(request):
    """试运行监察规则：给定时限和已用天数（及步骤事实），返回预警级别和会触发的异常规则。"""
    access.require_designer(request.user)
    data = SupervisionTestRunSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    rules = data.validated_data["rules"]
    if isinstance(rules, dict):
        rules = rulesets.upgrade(rules)
    problems = structural_problems("ruleset", rules)
    if not problems:
        problems.update(ruleset_problems(rules, "$"))
    problems.raise_if_any("监察规则")
    effective = {**selectors.district_supervision_defaults(), **rules}
    return Response(selectors.supervision_test_run(
        rules=effective, limit_days=data.validated_data["limit_days"], used_days=data.validated_data["used_days"],
        statutory_limit_days=data.validated_data["statutory_limit_days"], facts=data.validated_data["facts"]))


@extend_schema(methods=["GET"], responses={200: OpenApiTypes.OBJECT})
@extend_schema(methods=["PUT"], request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
@api_view(["GET", "PUT"])
def supervision_defaults(request):
    """全区默认监察规则。任何事项设计人员可查看；法制办审核员可修改（须包含全部四项）。"""
    access.require_designer(request.user)
    if request.method == "PUT":
        services.supervision_defaults_update(actor=request.user, rules=request.data)
    return Response(selectors.district_supervision_defaults())


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="证照类型编码")]),
    create=extend_schema(summary="新增或修改证照类型（按编码；仅法制办审核员）"),
)
class CertificateTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    """证照类型（证照批文共享数据库中的证照种类）。"""

    serializer_class = CertificateTypeSerializer
    queryset = CertificateType.objects.order_by("code")
    lookup_field = "code"

    def get_queryset(self):
        access.require_designer(self.request.user)
        return super().get_queryset()

    def perform_create(self, serializer):
        serializer.instance = services.certificate_type_save(actor=self.request.user, **serializer.validated_data)
