from django.urls import path

from fengqiao.mediators import views

app_name = "mediators"

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/apply/", views.application_add, name="application_add"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("applications/<int:pk>/score/", views.application_score, name="application_score"),
    path("applications/<int:pk>/appoint/", views.application_appoint, name="application_appoint"),
    path("applications/<int:pk>/decline/", views.application_decline, name="application_decline"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/resume/", views.complaint_resume, name="complaint_resume"),
    path("complaints/<int:pk>/<str:step>/", views.complaint_act, name="complaint_act"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/criteria/", views.criteria, name="criteria"),
    path("ratings/propose/", views.ratings_propose, name="ratings_propose"),
    path("ratings/<int:pk>/approve/", views.rating_approve, name="rating_approve"),
    path("subsidies/", views.statements, name="statements"),
    path("subsidies/compute/", views.statement_compute, name="statement_compute"),
    path("subsidies/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("subsidies/<int:pk>/recompute/", views.statement_recompute, name="statement_recompute"),
    path("subsidies/<int:pk>/adjust/", views.statement_adjust, name="statement_adjust"),
    path("subsidies/<int:pk>/approve/", views.statement_approve, name="statement_approve"),
    path("subsidies/<int:pk>/export/", views.statement_export, name="statement_export"),
    path("subsidies/rules/", views.subsidy_rules, name="subsidy_rules"),
    path("subsidies/rules/new/", views.subsidy_rule_new, name="subsidy_rule_new"),
    path("subsidies/rules/<int:pk>/end/", views.subsidy_rule_end, name="subsidy_rule_end"),
    path("people/", views.mediator_list, name="mediator_list"),
    path("people/<int:pk>/", views.mediator_detail, name="mediator_detail"),
    path("me/", views.my_work, name="my_work"),
]
