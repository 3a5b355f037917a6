from django.urls import path

from . import views

urlpatterns = [
    path("workdays/add/", views.add, name="workdays-add"),
    path("workdays/between/", views.between, name="workdays-between"),
    path("workdays/years/", views.years, name="workdays-years"),
    path("workdays/years/<int:year>/import/", views.import_year, name="workdays-import"),
]
