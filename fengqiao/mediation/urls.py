from django.urls import path

from fengqiao.mediation import views

app_name = "mediation"
urlpatterns = [
    path("cases/<int:pk>/consent/", views.consent_record, name="consent_record"),
    path("cases/<int:pk>/notice/", views.notice_deliver, name="notice_deliver"),
    path("cases/<int:pk>/sessions/", views.session_record, name="session_record"),
    path("cases/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("cases/<int:pk>/opinions/", views.opinion_record, name="opinion_record"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
