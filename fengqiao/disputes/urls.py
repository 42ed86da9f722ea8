from django.urls import path

from fengqiao.disputes import intake_views, views

app_name = "disputes"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("my/", views.my_work, name="my_work"),
    path("new/", intake_views.case_new, name="case_new"),
    path("report/", intake_views.case_report, name="case_report"),
    path("report/<int:pk>/", intake_views.report_done, name="report_done"),
    path("report/<int:pk>/linked/", intake_views.report_linked, name="report_linked"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/<slug:action>/", views.case_act, name="case_act"),
    path("<int:pk>/parties/<int:party_pk>/reveal/", views.party_reveal, name="party_reveal"),
    path("orders/<int:pk>/accept/", views.order_act, {"action": "accept"}, name="order_accept"),
    path("orders/<int:pk>/return/", views.order_act, {"action": "return"}, name="order_return"),
]
