from django.urls import path

from fengqiao.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("captcha.png", views.captcha_image, name="captcha"),
    path("apply/", views.apply, name="apply"),
    path("apply/done/", views.apply_done, name="apply_done"),
    path("track/", views.track, name="track"),
    path("case/", views.case, name="case"),
    path("case/evaluate/", views.evaluate, name="evaluate"),
    path("case/complain/", views.complain, name="complain"),
    path("case/documents/<int:pk>/", views.document, name="document"),
    path("leave/", views.leave, name="leave"),
    path("faq/", views.faq, name="faq"),
    path("faq/<slug:slug>/", views.faq_article, name="faq_article"),
    path("faq/<slug:slug>/vote/", views.faq_vote, name="faq_vote"),
    path("verify/", views.verify, name="verify"),
]
