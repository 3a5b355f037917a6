from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sweep/", views.sweep_now, name="sweep"),
    path("inbox/", views.inbox, name="inbox"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/orders/", views.order_issue, name="order_issue"),
    path("orders/<int:pk>/reply/", views.order_reply, name="order_reply"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
