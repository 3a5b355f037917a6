from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("workdays.api.urls")),
    path("", include("rules.api.urls")),
    path("", include("designer.api.urls")),
    path("", include("runtime.api.urls")),
    path("", include("supervision.api.urls")),
]

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("runtime.urls")),
    path("rules/", include("rules.urls")),
    path("designer/", include("designer.urls")),
    path("supervision/", include("supervision.urls")),
    path("guides/", include("guides.urls")),
    path("archives/", include("archives.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
