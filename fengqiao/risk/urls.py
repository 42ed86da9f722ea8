"""风险预警 and 应急联动 (views.py)."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.risk import views

app_name = "risk"
urlpatterns: list[URLPattern | URLResolver] = [
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("warnings/<int:pk>/<str:action>/", views.warning_act, name="warning_act"),
    path("emergencies/", views.emergency_list, name="emergency_list"),
    path("emergencies/new/<int:case_pk>/", views.emergency_new, name="emergency_new"),
    path("emergencies/<int:pk>/", views.emergency_detail, name="emergency_detail"),
    path("emergencies/<int:pk>/<str:action>/", views.emergency_act, name="emergency_act"),
]
