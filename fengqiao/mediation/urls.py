from django.urls import path

from fengqiao.disputes.views import case_act
from fengqiao.mediation import confirmation_views, guidance_views, room_views, views

# The mediation record's actions run as every case action (declared in mediation/actions.py);
# these are their addresses on the case page's panel.
app_name = "mediation"
urlpatterns = [
    path("cases/<int:pk>/consent/", case_act, {"action": "consent"}, name="consent_record"),
    path("cases/<int:pk>/notice/", case_act, {"action": "notice"}, name="notice_deliver"),
    path("cases/<int:pk>/sessions/", case_act, {"action": "session"}, name="session_record"),
    path("cases/<int:pk>/evidence/", case_act, {"action": "evidence"}, name="evidence_upload"),
    path("cases/<int:pk>/opinions/", case_act, {"action": "opinion"}, name="opinion_record"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path(
        "cases/<int:pk>/performance/items/",
        case_act,
        {"action": "performance_item"},
        name="performance_item_add",
    ),
    path(
        "cases/<int:pk>/performance/",
        case_act,
        {"action": "performance"},
        name="performance_record",
    ),
    path(
        "cases/<int:pk>/performance/default/",
        case_act,
        {"action": "performance_default"},
        name="performance_default",
    ),
    path(
        "cases/<int:pk>/performance/certificate/",
        case_act,
        {"action": "performance_certificate"},
        name="performance_certificate",
    ),
    # 文书: issue a PDF, download an issued one, a DOCX working copy.
    path("cases/<int:pk>/documents/issue/", views.document_issue, name="document_issue"),
    path(
        "cases/<int:pk>/documents/<slug:doc_type>/docx/",
        views.document_docx,
        name="document_docx",
    ),
    path("documents/<str:public_id>/", views.document_download, name="document_download"),
    # 业务指导: asked from the case page, answered on the request's page.
    path("cases/<int:pk>/guidance/", guidance_views.guidance_ask, name="guidance_ask"),
    path("guidance/", guidance_views.guidance_list, name="guidance_list"),
    # 在线调解室: scheduled by the case's mediator; parties enter by their invitation link.
    path("cases/<int:pk>/rooms/new/", room_views.room_schedule, name="room_schedule"),
    path("rooms/<int:pk>/", room_views.room_host, name="room_host"),
    path(
        "rooms/<int:pk>/participants/<int:pid>/reissue/",
        room_views.room_reissue,
        name="room_reissue",
    ),
    path("rooms/<int:pk>/enter/", room_views.room_party, name="room_party"),
    path("join/<str:token>/", room_views.room_join, name="room_join"),
    # 当事人确认调解协议: asked by the case's mediator; the party confirms by the link sent.
    path(
        "cases/<int:pk>/agreement/confirm/",
        confirmation_views.confirmation_request,
        name="confirmation_request",
    ),
    path("confirm/<str:token>/", confirmation_views.agreement_confirm, name="agreement_confirm"),
    path("guidance/<int:pk>/", guidance_views.guidance_detail, name="guidance_detail"),
    path(
        "guidance/<int:pk>/attachment/",
        guidance_views.guidance_attachment,
        name="guidance_attachment",
    ),
]
