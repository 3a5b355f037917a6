from django.urls import path

from . import views

urlpatterns = [
    path("rules/validate/", views.validate, name="rules-validate"),
    path("rules/try/", views.try_rule, name="rules-try"),
    path("rules/variables/", views.schema_variables, name="rules-variables"),
    path("rules/operations/", views.operation_list, name="rules-operations"),
    path("rules/facts/", views.fact_list, name="rules-facts"),
]
