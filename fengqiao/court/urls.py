"""The court's pages (queues, referral, confirmation); each part adds its routes here."""

from django.urls import URLPattern, URLResolver, path

from fengqiao.court.views import confirmation, referral

app_name = "court"
urlpatterns: list[URLPattern | URLResolver] = [
    # 委派/委托 and the roster (views/referral.py)
    path("", referral.queues, name="queues"),
    path("cases/<int:case_pk>/refer/", referral.referral_send, name="referral_send"),
    path("referrals/<int:pk>/file/", referral.referral_file, name="referral_file"),
    path("referrals/<int:pk>/number/", referral.referral_number, name="referral_number"),
    path("referrals/<int:pk>/withdraw/", referral.referral_withdraw, name="referral_withdraw"),
    path("roster/", referral.roster, name="roster"),
    path("roster/<int:pk>/decide/", referral.roster_decide, name="roster_decide"),
    # 司法确认 (views/confirmation.py)
    path("confirmations/", confirmation.confirmation_queue, name="confirmation_queue"),
    path("confirmations/<int:pk>/", confirmation.confirmation_detail, name="confirmation_detail"),
    path("cases/<int:pk>/confirmation/", confirmation.confirmation_file, name="confirmation_file"),
    path(
        "confirmations/<int:pk>/accept/",
        confirmation.confirmation_accept,
        name="confirmation_accept",
    ),
    path(
        "confirmations/<int:pk>/refuse/",
        confirmation.confirmation_refuse,
        name="confirmation_refuse",
    ),
    path(
        "confirmations/<int:pk>/extend/",
        confirmation.confirmation_extend,
        name="confirmation_extend",
    ),
    path("confirmations/<int:pk>/rule/", confirmation.confirmation_rule, name="confirmation_rule"),
    path(
        "confirmations/flags/<int:flag>/acknowledge/",
        confirmation.flag_acknowledge,
        name="confirmation_flag_acknowledge",
    ),
    path(
        "confirmations/<int:pk>/serve/", confirmation.confirmation_serve, name="confirmation_serve"
    ),
    path(
        "confirmations/<int:pk>/pdf/<str:which>/",
        confirmation.confirmation_pdf,
        name="confirmation_pdf",
    ),
    path("confirmations/<int:pk>/scan/", confirmation.confirmation_scan, name="confirmation_scan"),
    path(
        "confirmations/receipts/<int:pk>/signature/",
        confirmation.receipt_signature,
        name="receipt_signature",
    ),
]
