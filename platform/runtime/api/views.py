"""The runtime over HTTP: intake, actions and queries with the same rules as the pages.

Thin: parse, call one service or selector, render. Every read of a case goes through
``selectors.cases_for`` (the one access filter); an invisible case answers 404.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action, api_view, parser_classes, permission_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.models import Applicant
from core import inputs
from core.errors import AccessDenied, InvalidInput
from core.paging import COUNT_CAP, CappedPaginator
from core.parsers import SafeJSONParser
from designer.models import ApprovalItem

from .. import case_search, public_results, selectors, services
from ..access import inbox, require_window_clerk
from ..definitions import catalogue_themes, published_items
from ..material_files import material_file_response
from ..models import CaseState, Channel, Extension, Task
from ..throttles import THROTTLED_MESSAGE, progress_query_throttled
from .serializers import (
    ActSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CatalogueItemSerializer,
    CatalogueThemeSerializer,
    CertificateSerializer,
    DocumentSerializer,
    EndSpecialProcedureSerializer,
    LogEntrySerializer,
    MaterialSerializer,
    PublicResultSerializer,
    TaskSerializer,
    WindowIntakeSerializer,
)


class Page(PageNumberPagination):
    """20 a page; the total counted up to ``core.paging.COUNT_CAP`` (``count_capped``: there are more)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        response = super().get_paginated_response(data)
        response.data["count"] = min(paginator.count, paginator.cap)
        response.data["count_capped"] = paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean", "description": f"为真时表示结果超过 {COUNT_CAP:,} 件，count 只计到此数；请用条件缩小范围"}
        return schema


def materials_from(request) -> list[services.MaterialInput]:
    """Files as ``material:<key>`` parts; paper originals as ``paper`` (keys); certificates as
    ``certificate:<key>`` = number."""
    inputs = []
    for name, upload in request.FILES.items():
        if name.startswith("material:"):
            inputs.append(services.MaterialInput(name.split(":", 1)[1], upload.name, upload.read()))
    paper = request.data.getlist("paper") if hasattr(request.data, "getlist") else request.data.get("paper", [])
    inputs += [services.MaterialInput(key, paper=True) for key in paper or []]
    for name, value in request.data.items():
        if name.startswith("certificate:") and value:
            inputs.append(services.MaterialInput(name.split(":", 1)[1], certificate_number=str(value)))
    return inputs


def json_part(request, name: str, default=None):
    """A JSON value of the body: as is in a JSON request, parsed from its string in a multipart one."""
    value = request.data.get(name, default)
    return inputs.loads(value, root=name) if isinstance(value, str) else value


def form_data_from(request):
    return json_part(request, "form_data", {})


def dotted(errors, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's nested errors as ``{"applicant.name": [...]}``, the paths the services use."""
    flat = {}
    for name, value in errors.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(dotted(value, f"{path}."))
        else:
            flat[path] = [str(m) for m in value]
    return flat


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="事项编码")]),
    list=extend_schema(parameters=[
        OpenApiParameter("q", str, description="事项名称或编码中的文字"),
        OpenApiParameter("department", str, description="实施部门编码"),
        OpenApiParameter("theme", str, description="服务主题编码（见 catalogue/themes/）"),
    ]),
)
class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    """网上办事事项目录（从不含涉密事项），可按文字、实施部门和服务主题组合查找。"""

    permission_classes = [AllowAny]
    serializer_class = CatalogueItemSerializer
    pagination_class = Page
    lookup_field = "code"

    def get_queryset(self):
        if self.action == "list":
            return selectors.catalogue_search(selectors.CatalogueQuery.from_params(self.request.query_params))
        return selectors.catalogue_search()

    @extend_schema(responses=CatalogueThemeSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def themes(self, request):
        """目录中有事项的服务主题及事项数。"""
        return Response(CatalogueThemeSerializer(catalogue_themes(), many=True).data)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="本次提交的标识（8至64位字母、数字、下划线或连字符）：同一人以同一标识重复提交时，返回第一次提交生成的办件，不再新建")


CASE_SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="办件编号、申请人名称或事项名称（部分即可）"),
    OpenApiParameter("item", str, description="事项名称或编码（部分即可）"),
    OpenApiParameter("state", str, description="办件状态", enum=CaseState.values),
    OpenApiParameter("channel", str, description="申请渠道", enum=Channel.values),
    OpenApiParameter("from", OpenApiTypes.DATE, description="收件日期（起），含当日"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="收件日期（止），含当日"),
    OpenApiParameter("overdue", bool, description="只看已超期的在办件"),
]


@extend_schema_view(list=extend_schema(summary="查询办件", parameters=CASE_SEARCH_PARAMETERS,
                                       description="与工作台的查询条件相同，按提交时间由新到旧排列（工作台按期限由近及远排列）。"))
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """办件：申请人只看到自己的办件，工作人员只看到本部门的办件。"""

    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9-]+"
    pagination_class = Page

    def get_queryset(self):
        if self.action != "list":
            return selectors.cases_for(self.request.user)
        # the workbench's search, with the same parameters (q, item, state, channel, from, to, overdue)
        return case_search.search_cases(self.request.user, case_search.CaseQuery.from_params(self.request.query_params),
                                        newest_first=True)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseListSerializer

    @extend_schema(parameters=[IDEMPOTENCY_KEY],
                   description="提交申请：申请人网上申请；窗口受理员以 channel=window 代为收件。同一人以同一 "
                               "Idempotency-Key 重复提交时，返回第一次提交生成的办件，不重复生成。")
    def create(self, request):
        """Submit an application (online by an applicant; ``channel=window`` by a clerk). The same
        ``Idempotency-Key`` sent again by the same person returns the case the first request made.
        ``certificate``: the number of the certificate a renewing, changing, cancelling or
        reissuing application acts on (the applicant's own valid one of the item's type)."""
        item = get_object_or_404(ApprovalItem, code=request.data.get("item", ""))
        channel = request.data.get("channel", Channel.ONLINE)
        applicant = None
        if channel == Channel.WINDOW:
            given = request.data.get("applicant") or 0
            if not re.fullmatch(r"[0-9]{1,18}", str(given)):  # an id, as in a URL: ASCII digits only
                raise InvalidInput("申请人编号无效", details={"applicant": ["应为申请人编号（数字）"]})
            applicant = Applicant.objects.filter(pk=int(given)).first()
        case = services.case_submit(actor=request.user, item=item, form_data=form_data_from(request),
                                    materials=materials_from(request), channel=channel, applicant=applicant,
                                    unit_code=request.data.get("unit") or None,
                                    submission_token=request.headers.get("Idempotency-Key", "").strip(),
                                    certificate_number=str(request.data.get("certificate") or ""))
        return Response(CaseDetailSerializer(case).data, status=201)

    @action(detail=True)
    def log(self, request, number=None):
        case = self.get_object()
        if not request.user.kind == "staff":
            raise AccessDenied("办件日志仅供工作人员查看；申请人请查看办理进度")
        page = self.paginate_queryset(selectors.log_of(case))
        return self.get_paginated_response(LogEntrySerializer(page, many=True).data)

    @action(detail=True)
    def documents(self, request, number=None):
        case = self.get_object()
        page = self.paginate_queryset(case.documents.order_by("issued_at", "pk"))
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)

    @action(detail=True, url_path=r"documents/(?P<document>[A-Za-z0-9-]+)/pdf")
    def document_pdf(self, request, number=None, document=None):
        case = self.get_object()
        found = get_object_or_404(case.documents, number=document)
        return pdf_response(selectors.document_pdf(found), found.number)

    @action(detail=True)
    def materials(self, request, number=None):
        case = self.get_object()
        page = self.paginate_queryset(case.materials.select_related("certificate").order_by("pk"))
        return self.get_paginated_response(MaterialSerializer(page, many=True).data)

    @action(detail=True, url_path=r"materials/(?P<material>[0-9]+)/file")
    def material_file(self, request, number=None, material=None):
        case = self.get_object()
        found = get_object_or_404(case.materials, pk=material, file__gt="")
        return material_file_response(found, inline=False)

    @action(detail=True, methods=["post"])
    def resubmit(self, request, number=None):
        case = services.case_resubmit(actor=request.user, case=self.get_object(), form_data=form_data_from(request),
                                      materials=materials_from(request),
                                      expected_version=request.data.get("expected_version"))
        return Response(CaseDetailSerializer(case).data)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, number=None):
        case = services.case_withdraw(actor=request.user, case=self.get_object(),
                                      reason=str(request.data.get("reason", "")))
        return Response(CaseDetailSerializer(case).data)

    @action(detail=True, methods=["post"])
    def deliver(self, request, number=None):
        case = services.case_deliver(actor=request.user, case=self.get_object(),
                                     method=str(request.data.get("method", "窗口领取")))
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=EndSpecialProcedureSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="end-special-procedure")
    def end_special_procedure(self, request, number=None):
        body = EndSpecialProcedureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.special_procedure_end(actor=request.user, case=self.get_object(), **body.validated_data)
        return Response(CaseDetailSerializer(case).data)


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """待办：按环节期限排序，只含本人可办理的环节。"""

    lookup_value_regex = "[0-9]+"  # a non-numeric id is a 404 at the URL, as <int:…> paths are
    serializer_class = TaskSerializer
    pagination_class = Page

    def get_queryset(self):
        return inbox(self.request.user)

    @extend_schema(request=ActSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        task = get_object_or_404(Task, pk=pk, case__in=selectors.cases_for(request.user))
        body = ActSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        params = dict(body.validated_data)
        case = services.task_complete(actor=request.user, task=task, action=params.pop("action"),
                                      opinion=params.pop("opinion"), expected_version=params.pop("expected_version"),
                                      **params)
        return Response(CaseDetailSerializer(case).data)


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """证照库：工作人员可检索全部证照，申请人只看到自己的证照。"""

    serializer_class = CertificateSerializer
    pagination_class = Page
    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9-]+"

    def get_queryset(self):
        from ..certificates import search

        return search(selectors.certificates_for(self.request.user), self.request.query_params.get("q", ""))


@extend_schema(request=None, responses=None)
@api_view(["POST"])
def extension_decide(request, pk: int):
    extension = get_object_or_404(Extension, pk=pk, case__in=selectors.cases_for(request.user))
    services.extension_decide(actor=request.user, extension=extension, approve=bool(request.data.get("approve")),
                              opinion=str(request.data.get("opinion", "")))
    return Response({"state": Extension.objects.get(pk=pk).state})


class PublicResultViewSet(viewsets.GenericViewSet):
    """审批结果公示：涉密事项的办件从不出现；自然人的姓名和证件号码部分隐去。``q`` 按事项名称或编码、
    证照编号、单位名称查找。"""

    permission_classes = [AllowAny]
    serializer_class = PublicResultSerializer
    pagination_class = Page

    def get_queryset(self):
        return public_results.decided_cases(self.request.query_params.get("q", "")[:100])

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(
            [public_results.public_result(case) for case in page], many=True).data)


@extend_schema(request=None, responses=None)
@api_view(["GET"])
@permission_classes([AllowAny])
def public_progress(request):
    """进度查询：办件编号加查询验证码，无需登录；不含工作人员个人信息。"""
    number = request.query_params.get("number", "")
    if progress_query_throttled(request, number):
        return Response({"code": "throttled", "message": THROTTLED_MESSAGE, "details": {}}, status=429)
    case = selectors.public_progress(number, request.query_params.get("code", ""))
    if case is None:
        return Response({"code": "not_found", "message": "办件编号或查询验证码不正确", "details": {}}, status=404)
    steps = [{"name": s.name, "desk": s.desk, "state": s.state, "opened_at": s.opened_at,
              "completed_at": s.completed_at} for s in selectors.progress(case)]
    return Response({"number": case.number, "item": case.unit_name, "state": case.get_state_display(),
                     "steps": steps})


@extend_schema(request=WindowIntakeSerializer, responses={201: CaseDetailSerializer}, parameters=[IDEMPOTENCY_KEY])
@api_view(["POST"])
@parser_classes([SafeJSONParser, MultiPartParser, FormParser])
def window_intake(request):
    """窗口收件：窗口受理员当场录入纸质申请，申请人未登记的同时登记（按证件号码调取已登记的申请人）。

    与窗口收件页面规则相同：仅限窗口受理员；收件日期即当日；申请人、申请表和材料的问题一次全部
    列出（``details`` 的键为 ``applicant.<字段>``、``$.<表单字段>``、``materials.<材料编号>``），
    有任何问题时不保存任何内容（包括新申请人）。成功时返回办件，接件凭证在其文书中。
    """
    require_window_clerk(request.user)
    body = WindowIntakeSerializer(data={
        "item": request.data.get("item", ""), "unit": request.data.get("unit", ""),
        "applicant": json_part(request, "applicant", {}), "form_data": form_data_from(request),
        "paper": request.data.getlist("paper") if hasattr(request.data, "getlist") else request.data.get("paper", [])})
    if not body.is_valid():
        raise InvalidInput("申请内容有误，请按提示修改后重新提交", details=dotted(body.errors))
    given = body.validated_data
    item = published_items().filter(code=given["item"]).first()
    if item is None:
        raise InvalidInput("事项不存在或未发布", details={"item": [f"没有已发布的事项“{given['item']}”"]})
    case = services.case_intake_at_window(actor=request.user, item=item,
                                          applicant=services.ApplicantInput(**given["applicant"]),
                                          form_data=given["form_data"], materials=materials_from(request),
                                          unit_code=given["unit"] or None,
                                          submission_token=request.headers.get("Idempotency-Key", "").strip(),
                                          certificate_number=str(request.data.get("certificate") or ""))
    return Response(CaseDetailSerializer(case).data, status=201)
