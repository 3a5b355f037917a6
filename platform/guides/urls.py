from django.urls import path

from . import views

app_name = "guides"

urlpatterns = [
    path("", views.guide_index, name="index"),
    path("<str:key>/", views.guide_page, name="guide"),
]
