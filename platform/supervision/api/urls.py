from django.urls import path, re_path

from . import views

urlpatterns = [
    re_path(r"^exchange/inbound/(?P<department>[A-Za-z0-9-]+)/(?P<system>[A-Za-z0-9_.-]{1,40})/$",
            views.inbound_batch, name="exchange-inbound"),
    path("supervision/dashboard/", views.dashboard_figures, name="supervision-dashboard"),
]
