from django.urls import path

from . import views

app_name = "rules"

urlpatterns = [
    path("try/", views.try_rule, name="try"),
]
