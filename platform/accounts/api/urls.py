from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("windows", views.ServiceWindowViewSet, basename="window")
router.register("applicants", views.ApplicantViewSet, basename="applicant")

urlpatterns = [path("me/", views.me, name="me"), *router.urls]
