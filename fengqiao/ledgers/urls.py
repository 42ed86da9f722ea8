"""工作台帐 (views.py)."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.ledgers import views

app_name = "ledgers"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ledger_index, name="index"),
    path("exports/status/", views.export_status, name="export_status"),
    path("exports/<int:pk>/", views.export_download, name="export_download"),
    path("<slug:code>/", views.ledger_export, name="export"),
]
