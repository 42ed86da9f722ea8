"""督办 (views.py)."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.supervision import views

app_name = "supervision"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("items/", views.items, name="items"),
    path("directives/", views.directive_list, name="directive_list"),
    path("directives/new/", views.issue, name="issue"),
    path("directives/<int:pk>/", views.directive_detail, name="directive_detail"),
]
