"""报表中心 (views.py)."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.reports import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("request/", views.request_report, name="request"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]
