from django.urls import path

from . import views

app_name = "runtime"

urlpatterns = [
    path("hall/", views.hall, name="hall"),
    path("hall/certificates/<str:number>/", views.certificate_detail, name="certificate"),
    path("hall/notices/", views.public_notices, name="notices"),
    path("hall/notices/<int:pk>/", views.public_notice, name="notice"),
    path("hall/results/", views.public_results, name="results"),
    path("hall/items/<str:code>/", views.item_guide, name="item-guide"),
    path("hall/items/<str:code>/application-form.pdf", views.application_form_pdf, name="application-form"),
    path("hall/items/<str:code>/apply/", views.apply, name="apply"),
    path("hall/items/<str:code>/draft/", views.draft, name="draft"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/intake/", views.intake, name="intake"),
    path("workbench/intake/<str:code>/", views.intake_item, name="intake-item"),
    path("progress/", views.progress_query, name="progress"),
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate-pdf"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate-verify"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/documents/<str:document>.pdf", views.document_pdf, name="document"),
    path("cases/<str:number>/materials/<int:material>/", views.material_file, name="material"),
    path("cases/<str:number>/materials/<int:material>/check/", views.material_check, name="material-check"),
    path("cases/<str:number>/tasks/<int:task_id>/act/", views.task_act, name="act"),
    path("cases/<str:number>/resubmit/", views.resubmit, name="resubmit"),
    path("cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<str:number>/end-special-procedure/", views.end_special_procedure, name="end-pause"),
]
