from django.urls import path

from . import views

app_name = "designer"

urlpatterns = [
    path("", views.item_list, name="items"),
]
