from django.urls import path

from . import views

app_name = "runtime"

urlpatterns = [
    path("hall/", views.hall, name="hall"),
    path("workbench/", views.workbench, name="workbench"),
    path("progress/", views.progress_query, name="progress"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/documents/<str:document>.pdf", views.document_pdf, name="document"),
    path("cases/<str:number>/tasks/<int:task_id>/act/", views.task_act, name="act"),
]
