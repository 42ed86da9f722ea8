"""会议与任务 and 法治宣传 (views.py), 排查 (views_screening.py)."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.governance import views, views_screening

app_name = "governance"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/<str:action>/", views.meeting_act, name="meeting_act"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("due/", views.due, name="due"),
    path("publicity/", views.publicity, name="publicity"),
    path("publicity/new/", views.publicity_new, name="publicity_new"),
    path("files/<int:pk>/", views.file_download, name="file_download"),
    path("screening/", views_screening.screening, name="screening"),
    path("screening/file/", views_screening.screening_file, name="screening_file"),
    path(
        "screening/reports/<int:pk>/",
        views_screening.screening_report,
        name="screening_report",
    ),
    path(
        "screening/campaigns/new/",
        views_screening.screening_campaign_new,
        name="screening_campaign_new",
    ),
]
