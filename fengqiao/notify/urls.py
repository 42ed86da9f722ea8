from django.urls import path

from fengqiao.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read, name="read"),
    path("<int:pk>/open/", views.notification_open, name="open"),
]
