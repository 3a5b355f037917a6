from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("catalogue", views.CatalogueViewSet, basename="catalogue")
router.register("cases", views.CaseViewSet, basename="case")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("results", views.PublicResultViewSet, basename="result")

urlpatterns = router.urls + [
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension-decide"),
    path("progress/", views.public_progress, name="progress"),
    path("intake/", views.window_intake, name="window-intake"),
]
