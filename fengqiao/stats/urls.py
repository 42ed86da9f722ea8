"""统计分析 (views.py)."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.stats import views

app_name = "stats"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("external/", views.external_figures, name="external"),
    path("external/template/", views.external_template, name="external_template"),
]
