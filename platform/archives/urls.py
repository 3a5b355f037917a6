from django.urls import path

from . import views

app_name = "archives"

urlpatterns = [
    path("", views.packages, name="packages"),
    path("<str:number>.zip", views.download, name="download"),
]
