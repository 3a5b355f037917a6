"""The platform's URLs and error handlers, plus two views that fail, for the 500 page tests."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a fault in the code")


urlpatterns = [*urlpatterns, path("boom/", boom), path("api/v1/boom/", boom)]
