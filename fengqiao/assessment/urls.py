"""考核 (views.py)."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.assessment import views

app_name = "assessment"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ranking, name="ranking"),
    path("publish/", views.publish, name="publish"),
    path("export/", views.export, name="export"),
    path("scheme/<int:year>/", views.scheme, name="scheme"),
    path("scheme/<int:year>/indicator/", views.indicator_edit, name="indicator_new"),
    path("scheme/<int:year>/indicator/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path(
        "scheme/<int:year>/indicator/<int:pk>/scores/",
        views.manual_scores,
        name="manual_scores",
    ),
    path(
        "scheme/<int:year>/indicator/<int:pk>/scores/clear/",
        views.manual_score_clear,
        name="manual_score_clear",
    ),
]
