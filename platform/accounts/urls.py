from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.PlatformLoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
]
