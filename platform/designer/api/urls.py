from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("designer/items", views.ItemViewSet, basename="designer-item")
router.register("designer/certificate-types", views.CertificateTypeViewSet, basename="designer-certificate-type")

urlpatterns = [
    path("designer/validate/", views.validate, name="designer-validate"),
    path("designer/bundles/", views.import_bundle, name="designer-import-bundle"),
    path("designer/catalogue/", views.catalogue_export, name="designer-catalogue-export"),
    path("designer/catalogue/import/", views.catalogue_import, name="designer-catalogue-import"),
    path("designer/supervision/test-run/", views.supervision_test_run, name="designer-supervision-test-run"),
    path("designer/supervision/defaults/", views.supervision_defaults, name="designer-supervision-defaults"),
    path("designer/review-queue/", views.review_queue, name="designer-review-queue"),
    *router.urls,
]
