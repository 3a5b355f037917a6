from django.urls import path

from . import import_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.PlatformLoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password/", views.password_change, name="password-change"),
    path("accounts/tour/dismiss/", views.tour_dismiss, name="tour-dismiss"),
    path("accounts/imports/", import_views.imports_index, name="imports"),
    path("accounts/imports/<str:kind>/", import_views.sheet_import, name="sheet-import"),
]
