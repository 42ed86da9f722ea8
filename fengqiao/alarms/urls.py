from django.urls import path

from fengqiao.alarms import views

app_name = "alarms"
urlpatterns = [
    path("", views.alarm_list, name="list"),
    path("raise/", views.alarm_raise, name="raise"),
    path("<int:pk>/", views.alarm_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.alarm_acknowledge, name="acknowledge"),
    path("<int:pk>/log/", views.alarm_log, name="log"),
    path("<int:pk>/close/", views.alarm_close, name="close"),
]
