"""Thin API views: parse, call one service or selector, render."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .. import services
from ..access import has_role, require_role
from ..models import Applicant, Department, Role, ServiceWindow
from .serializers import (
    ApplicantSerializer,
    DepartmentSerializer,
    MeSerializer,
    ServiceWindowSerializer,
)


class DepartmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """单位（区 → 部门 → 科室）。任何工作人员可查看；系统管理员可新建和修改。"""

    lookup_value_regex = "[0-9]+"  # a non-numeric id is a 404 at the URL, as <int:…> paths are
    queryset = Department.objects.select_related("parent").order_by("sort_order", "code")
    serializer_class = DepartmentSerializer

    def perform_create(self, serializer):
        serializer.instance = services.department_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.department_update(
            actor=self.request.user, department=serializer.instance, **serializer.validated_data
        )


class ServiceWindowViewSet(viewsets.ReadOnlyModelViewSet):
    """服务窗口。"""

    lookup_value_regex = "[0-9]+"  # a non-numeric id is a 404 at the URL, as <int:…> paths are
    queryset = ServiceWindow.objects.select_related("department")
    serializer_class = ServiceWindowSerializer


class ApplicantViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """申请人。窗口受理员登记纸质申请的申请人。"""

    serializer_class = ApplicantSerializer

    def get_queryset(self):
        user = self.request.user
        if has_role(user, Role.WINDOW_CLERK) or has_role(user, Role.SYSTEM_ADMIN):
            return Applicant.objects.order_by("-created_at")
        return Applicant.objects.filter(user=user)

    def perform_create(self, serializer):
        require_role(self.request.user, Role.WINDOW_CLERK)
        serializer.instance = services.applicant_create(actor=self.request.user, **serializer.validated_data)


@extend_schema(responses=MeSerializer, summary="当前登录用户及其角色")
@api_view(["GET"])
def me(request):
    """当前登录用户及其角色。"""
    return Response(MeSerializer(request.user).data)
