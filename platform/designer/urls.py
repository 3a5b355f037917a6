from django.urls import path

from . import views

app_name = "designer"

urlpatterns = [
    path("", views.item_list, name="items"),
    path("review/", views.review_queue, name="review-queue"),
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("certificate-types/", views.certificate_types, name="certificate-types"),
    path("themes/", views.service_themes, name="service-themes"),
    path("returns/", views.returns_page, name="returns"),
    path("items/<str:code>/", views.item_detail, name="item"),
    path("items/<str:code>/public/", views.item_public, name="item-public"),
    path("items/<str:code>/form/", views.item_form, name="item-form"),
    path("items/<str:code>/preview/", views.item_preview, name="item-preview"),
    path("items/<str:code>/stages/", views.item_stages, name="item-stages"),
    path("items/<str:code>/materials/", views.item_materials, name="item-materials"),
    path("items/<str:code>/workflow/", views.item_workflow, name="item-workflow"),
    path("items/<str:code>/supervision/", views.item_supervision, name="item-supervision"),
    path("items/<str:code>/json/", views.item_json, name="item-json"),
    path("items/<str:code>/diff/", views.item_diff, name="item-diff"),
    path("items/<str:code>/history/", views.item_history, name="item-history"),
    path("items/<str:code>/rule-variables/", views.item_rule_variables, name="item-rule-variables"),
    path("items/<str:code>/<str:action>/", views.item_action, name="item-action"),
]
