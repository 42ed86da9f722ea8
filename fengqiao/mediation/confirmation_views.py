"""当事人确认调解协议 pages: the case page's panel and the mediator's 请当事人确认 (asked of
``confirmation_policy.agreement_may``), and the party's page behind the link sent to their
phone (no account). Parse, call ``confirmations``, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fengqiao.accounts.access import require
from fengqiao.core.middleware import client_ip
from fengqiao.disputes.disclosure import case_disclosure
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.mediation import confirmations
from fengqiao.mediation.confirmation_policy import REQUEST, agreement_may

FIELD_MAX = 400_000


def case_panel_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's 当事人确认 panel: each party's confirmation of the agreement's current
    text, and for its mediator the way to ask."""
    shown = case_disclosure(user, case)
    digest, status = confirmations.confirmation_status(case, lambda p: shown.name(p.name, p.kind))
    return {
        "confirm_digest": digest,
        "confirm_status": status,
        "confirm_may_request": bool(digest) and agreement_may(user, REQUEST, case),
    }


def _base(request: HttpRequest) -> str:
    public = str(getattr(settings, "FENGQIAO_PUBLIC_URL", "") or "")
    return (public or request.build_absolute_uri("/")).rstrip("/")


@login_required
@require_POST
def confirmation_request(request: HttpRequest, pk: int) -> HttpResponse:
    """请当事人确认: links by SMS; the links of parties without a mobile number are shown once
    for the mediator to pass on."""
    require(request.user, VIEW_CASE)
    case = case_get_for_user(request.user, pk)
    if not agreement_may(request.user, REQUEST, case):
        raise PermissionDenied(_("只有承办本案的调解员可以在调解成功后请当事人确认调解协议。"))
    result = confirmations.confirmation_request(
        actor=request.user, case_id=case.pk, base_url=_base(request)
    )
    shown = case_disclosure(request.user, case)
    sent = [a for a in result.asked if a.sent]
    if sent:
        messages.success(
            request,
            _("已向%(names)s短信发送确认链接。")
            % {"names": "、".join(shown.name(a.party.name, a.party.kind) for a in sent)},
        )
    if result.recent:
        messages.info(
            request,
            _("%(names)s的确认链接刚刚发送过，10分钟内不重复发送。")
            % {"names": "、".join(shown.name(p.name, p.kind) for p in result.recent)},
        )
    if not result.asked and not result.recent:
        messages.info(request, _("各方当事人均已确认当前的协议文本。"))
    unsent = [a for a in result.asked if not a.sent]
    if unsent:
        # The links exist only now (their tokens are not stored): shown once, not redirected.
        links = [{"name": shown.name(a.party.name, a.party.kind), "url": a.url} for a in unsent]
        return render(request, "mediation/confirm_links.html", {"case": case, "links": links})
    return redirect(reverse("disputes:case_detail", args=[case.pk]) + "#agreement-confirmations")


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "mediation/confirm_refused.html", {"message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def agreement_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The party's page: the agreement as it stands, and the two ways to confirm it. GET
    changes nothing (a chat app's link preview must not use it up)."""
    try:
        invite = confirmations.invite_check(token=token)
    except confirmations.ConfirmRefused as refused:
        return _refused(request, str(refused))
    error = ""
    code_sent_to = ""
    if request.method == "POST":
        step = request.POST.get("step", "")
        digest_seen = str(request.POST.get("digest", ""))[:64]
        agent = str(request.META.get("HTTP_USER_AGENT", ""))
        try:
            if step == "send_code":
                code_sent_to = confirmations.code_send(token=token)
            elif step == "code":
                confirmations.confirm_by_code(
                    token=token,
                    digest_seen=digest_seen,
                    code=str(request.POST.get("code", ""))[:20],
                    client_ip=client_ip(request),
                    user_agent=agent,
                )
                return redirect("mediation:agreement_confirm", token=token)
            elif step == "signature":
                confirmations.confirm_by_signature(
                    token=token,
                    digest_seen=digest_seen,
                    data_url=str(request.POST.get("signature", ""))[:FIELD_MAX],
                    client_ip=client_ip(request),
                    user_agent=agent,
                )
                return redirect("mediation:agreement_confirm", token=token)
            else:
                error = _("请选择确认方式。")
        except confirmations.ConfirmRefused as refused:
            error = str(refused)
        invite = confirmations.invite_check(token=token)
    agreement = invite.agreement
    current = confirmations.confirmation_for(invite)
    return render(
        request,
        "mediation/confirm_party.html",
        {
            "invite": invite,
            "agreement": agreement,
            "case": agreement.case,
            "text_lines": confirmations.agreement_text(agreement).split("\n"),
            "digest": confirmations.agreement_digest(agreement),
            "current": current,
            "earlier": None if current else confirmations.stale_confirmation(invite),
            "error": error,
            "code_sent_to": code_sent_to,
        },
        status=400 if error else 200,
    )
