from django.urls import path

from . import joint_views, performance_views, preview_views, theme_views, views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sweep/", views.sweep_now, name="sweep"),
    path("inbox/", views.inbox, name="inbox"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/orders/", views.order_issue, name="order_issue"),
    path("orders/<int:pk>/reply/", views.order_reply, name="order_reply"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/mine/", views.complaints_mine, name="complaints_mine"),
    path("complaints/<int:pk>/assign/", views.complaint_assign, name="complaint_assign"),
    path("complaints/<int:pk>/answer/", views.complaint_answer, name="complaint_answer"),
    path("complaints/<int:pk>/rate/", views.complaint_rate, name="complaint_rate"),
    path("complaints/<int:pk>/conclude/", views.complaint_conclude, name="complaint_conclude"),
    path("ratings/<str:number>/", views.case_rate, name="case_rate"),
    path("consultations/<str:code>/", views.consultation_new, name="consultation_new"),
    path("performance/", performance_views.performance_page, name="performance"),
    path("performance/formula/", performance_views.formula_save, name="performance_formula"),
    path("performance/export/", performance_views.performance_export, name="performance_export"),
    path("themes/", theme_views.themes, name="themes"),
    path("themes/new/", theme_views.theme_edit, name="theme_new"),
    path("themes/<int:pk>/", theme_views.theme_run, name="theme_run"),
    path("themes/<int:pk>/edit/", theme_views.theme_edit, name="theme_edit"),
    path("themes/<int:pk>/export/", theme_views.theme_download, name="theme_export"),
    path("themes/<int:pk>/findings/<str:number>/order/", theme_views.theme_order, name="theme_order"),
    path("joint/", joint_views.joint_oversight, name="joint"),
    path("preview/defaults/", preview_views.defaults_preview, name="preview_defaults"),
    path("preview/items/<str:code>/", preview_views.item_preview, name="preview_item"),
]
