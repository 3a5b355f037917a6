from django.urls import path

from . import views

app_name = "runtime"

urlpatterns = [
    path("hall/", views.hall, name="hall"),
    path("workbench/", views.workbench, name="workbench"),
]
