from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.favicon import favicon

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("workdays.api.urls")),
    path("", include("rules.api.urls")),
    path("", include("designer.api.urls")),
    path("", include("runtime.api.urls")),
    path("", include("supervision.api.urls")),
]

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
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

# Chinese pages in the site's layout; JSON for /api/ (config.error_pages)
handler400 = "config.error_pages.bad_request"
handler403 = "config.error_pages.permission_denied"
handler404 = "config.error_pages.page_not_found"
handler500 = "config.error_pages.server_error"
