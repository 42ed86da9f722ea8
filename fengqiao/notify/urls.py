from django.urls import path

from fengqiao.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read, name="read"),
    path("settings/", views.notification_settings, name="settings"),
    path("<int:pk>/open/", views.notification_open, name="open"),
]
