"""The platform's URLs and error handlers, plus views that fail, for the error page tests."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401
from core.errors import AccessDenied


def boom(request):
    raise RuntimeError("a fault in the code")


def refused(request):
    """A service's refusal that the view does not catch."""
    raise AccessDenied("只有法制办审核员可以发布事项")


urlpatterns = [*urlpatterns, path("boom/", boom), path("api/v1/boom/", boom),
               path("refused/", refused), path("api/refused/", refused)]
