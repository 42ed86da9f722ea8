"""The public portal (公众服务): no login. A citizen proves a phone number with an SMS code
(after a human check), then applies, or follows a case they are a party of through a grant
kept in their session: signed, short-lived, for that one case and party."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fengqiao.core import crypto
from fengqiao.core.masking import mask_phone
from fengqiao.core.middleware import client_ip
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.documents.services import document_pdf
from fengqiao.mediation.services import evidence_check
from fengqiao.mediators import policy as mediators_policy
from fengqiao.mediators import selectors as mediators_selectors
from fengqiao.mediators import services as mediators_services
from fengqiao.notify.codes import CodePurpose, CodeRefused, check_code, send_code
from fengqiao.portal import captcha, forms, selectors, services, throttle

APPLY_PHONE = "portal_apply_phone"
PENDING = "portal_pending"
GRANT = "portal_grant"
DONE = "portal_done"
VOTED = "portal_voted"
GRANT_SECONDS = 30 * 60
APPLY = "apply"
TRACK = "track"


def _sign(value: dict[str, Any], salt: str) -> str:
    return signing.dumps(value, salt=f"fengqiao.portal.{salt}")


def _unsign(request: HttpRequest, key: str, salt: str) -> dict[str, Any] | None:
    token = request.session.get(key)
    if not isinstance(token, str):
        return None
    try:
        value = signing.loads(token, salt=f"fengqiao.portal.{salt}", max_age=GRANT_SECONDS)
    except signing.BadSignature:
        request.session.pop(key, None)
        return None
    return value if isinstance(value, dict) else None


def _address(request: HttpRequest) -> str:
    return client_ip(request) or "-"


# --- Home, captcha, verification ----------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"verify_form": forms.VerifyForm()})


@never_cache
def captcha_image(request: HttpRequest) -> HttpResponse:
    png = captcha.new_challenge(request.session)
    return HttpResponse(png, content_type="image/png")


def verify(request: HttpRequest) -> HttpResponse:
    """验证文书: the number printed under the QR code leads to the documents app's page."""
    form = forms.VerifyForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("documents:verify", public_id=form.cleaned_data["public_id"])
    return render(request, "portal/verify.html", {"form": form})


def _pending(request: HttpRequest, purpose: str) -> dict[str, Any] | None:
    value = _unsign(request, PENDING, "pending")
    if value is None or value.get("purpose") != purpose:
        return None
    return value


def _send(request: HttpRequest, purpose: str, form: forms.PhoneForm) -> bool:
    """The human check, the limits, then the code; False (with the reason on the form) when
    refused. Tracking sends a code only to a party's phone but answers the same either way."""
    if not captcha.check(request.session, form.cleaned_data["captcha"]):
        form.add_error("captcha", _("计算结果不正确，请看新的算式重新输入。"))
        return False
    phone = form.cleaned_data["phone"]
    scope = ""
    if purpose == TRACK:
        scope = selectors.normalise_case_number(form.cleaned_data["case_number"])
    try:
        throttle.hit(throttle.CODES_PER_ADDRESS, _address(request))
        throttle.hit(throttle.CODES_PER_PHONE, phone)
        throttle.hit(throttle.CODE_RESEND, f"{purpose}\0{phone}\0{scope}")
    except throttle.Throttled as exc:
        form.add_error(None, exc.message)
        return False
    try:
        if purpose == APPLY:
            send_code(phone=phone, purpose=CodePurpose.PORTAL_APPLY)
        else:
            party = selectors.party_by_phone(scope, phone)
            if party is not None:
                send_code(phone=phone, purpose=CodePurpose.PORTAL_TRACK, scope=party.case.number)
    except CodeRefused as exc:
        if purpose == APPLY:
            form.add_error(None, exc.message)
            return False
        # Tracking: a refusal would tell a stranger the phone is a party's; say nothing.
    request.session[PENDING] = _sign(
        {"purpose": purpose, "phone": crypto.encrypt(phone), "case": scope}, "pending"
    )
    return True


def _phone_step(request: HttpRequest, purpose: str) -> HttpResponse:
    """Step one of applying or tracking: number (and case), human check, code; then the code."""
    form_class = forms.PhoneForm if purpose == APPLY else forms.TrackForm
    template = "portal/apply_phone.html" if purpose == APPLY else "portal/track.html"
    pending = _pending(request, purpose)
    action = request.POST.get("action", "")
    form = form_class()
    code_form = forms.CodeForm()
    if request.method == "POST" and action == "restart":
        request.session.pop(PENDING, None)
        return redirect(request.path)
    if request.method == "POST" and action == "send":
        form = form_class(request.POST)
        if form.is_valid() and _send(request, purpose, form):
            return redirect(request.path)
        pending = None
    elif request.method == "POST" and action == "verify" and pending is not None:
        code_form = forms.CodeForm(request.POST)
        if code_form.is_valid():
            done = _verify(request, purpose, pending, code_form)
            if done is not None:
                return done
    shown = mask_phone(crypto.decrypt(pending["phone"])) if pending else ""
    return render(
        request,
        template,
        {
            "form": form,
            "code_form": code_form,
            "pending": pending,
            "phone_masked": shown,
        },
    )


def _verify(
    request: HttpRequest, purpose: str, pending: dict[str, Any], code_form: forms.CodeForm
) -> HttpResponse | None:
    phone = crypto.decrypt(pending["phone"])
    code = code_form.cleaned_data["code"]
    party = None
    try:
        throttle.hit(throttle.CHECKS_PER_ADDRESS, _address(request))
        if purpose == APPLY:
            check_code(phone=phone, purpose=CodePurpose.PORTAL_APPLY, code=code)
        else:
            party = selectors.party_by_phone(pending["case"], phone)
            # The same words whether the case exists, the phone is a party's, or the code is
            # wrong: nobody learns which cases exist.
            if party is None:
                raise CodeRefused(_("案件编号、手机号或验证码不正确。"))
            check_code(
                phone=phone, purpose=CodePurpose.PORTAL_TRACK, scope=party.case.number, code=code
            )
    except throttle.Throttled as exc:
        code_form.add_error(None, exc.message)
        return None
    except CodeRefused as exc:
        message = exc.message if purpose == APPLY else _("案件编号、手机号或验证码不正确。")
        code_form.add_error("code", message)
        return None
    request.session.pop(PENDING, None)
    request.session.cycle_key()
    if purpose == APPLY:
        request.session[APPLY_PHONE] = _sign({"phone": crypto.encrypt(phone)}, "apply")
        return redirect("portal:apply")
    if party is None:  # pragma: no cover - refused above
        return None
    _grant(request, party.case_id, party.pk)
    return redirect("portal:case")


def _grant(request: HttpRequest, case_id: int, party_id: int) -> None:
    request.session[GRANT] = _sign({"case": case_id, "party": party_id}, "grant")


# --- Apply --------------------------------------------------------------------------------------


def _files(request: HttpRequest, form: forms.ApplicationForm) -> list[services.EvidenceFile]:
    uploaded = request.FILES.getlist("evidence")
    if len(uploaded) > services.EVIDENCE_MAX_FILES:
        form.add_error(
            None, _("证据材料最多上传%(n)s个文件。") % {"n": services.EVIDENCE_MAX_FILES}
        )
        return []
    limit = services.evidence_file_limit()
    checked: list[services.EvidenceFile] = []
    for f in uploaded:
        name = str(f.name or "")[:255]
        if (f.size or 0) > limit:
            form.add_error(
                None,
                _("文件“%(f)s”过大：每个文件不能超过%(mb)sMB。")
                % {"f": name, "mb": limit // (1024 * 1024)},
            )
            continue
        try:
            checked.append(
                services.EvidenceFile(name, evidence_check(file=f, name=name, size=f.size or 0))
            )
        except CaseRuleError as exc:
            form.add_error(None, _("文件“%(f)s”：%(e)s") % {"f": name, "e": exc})
    return checked


def apply(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") != "apply":
        return _phone_step(request, APPLY)
    token = request.POST.get("token", "")
    if request.method == "POST" and forms.TOKEN.fullmatch(token):
        # The same form again (a double tap, a reload after success): its case, not a second.
        earlier = services.application_by_token(token)
        if earlier is not None:
            request.session[DONE] = _sign({"case": earlier.pk}, "done")
            return redirect("portal:apply_done")
    verified = _unsign(request, APPLY_PHONE, "apply")
    if verified is None:
        return _phone_step(request, APPLY)
    phone = crypto.decrypt(verified["phone"])
    if request.method != "POST":
        form = forms.ApplicationForm(initial={"token": secrets.token_urlsafe(24)})
        return _apply_page(request, form, phone)
    form = forms.ApplicationForm(request.POST)
    valid = form.is_valid()
    files = _files(request, form)
    if not valid or form.errors:
        return _apply_page(request, form, phone)
    try:
        throttle.hit(throttle.APPLY_PER_ADDRESS, _address(request))
    except throttle.Throttled as exc:
        form.add_error(None, exc.message)
        return _apply_page(request, form, phone)
    d = form.cleaned_data
    region = d["place"]
    data = services.ApplicationInput(
        token=d["token"],
        applicant_name=d["applicant_name"],
        applicant_phone=phone,
        applicant_id_number=d["applicant_id_number"],
        respondent_name=d["respondent_name"],
        respondent_phone=d["respondent_phone"] or "",
        category=d["category"],
        region=region,
        address=d["address"],
        title=d["title"],
        facts=d["facts"],
        claims=d["claims"],
        online=bool(d["online"]),
        files=tuple(files),
    )
    try:
        case = services.portal_apply(data=data)
    except (CaseRuleError, PermissionDenied) as exc:
        form.add_error(None, str(exc))
        return _apply_page(request, form, phone)
    request.session.pop(APPLY_PHONE, None)
    request.session[DONE] = _sign({"case": case.pk}, "done")
    applicant = selectors.party_by_phone(case.number, phone)
    if applicant is not None:
        _grant(request, case.pk, applicant.pk)
    return redirect("portal:apply_done")


def _apply_page(request: HttpRequest, form: forms.ApplicationForm, phone: str) -> HttpResponse:
    return render(
        request,
        "portal/apply.html",
        {
            "form": form,
            "phone_masked": mask_phone(phone),
            "max_files": services.EVIDENCE_MAX_FILES,
            "max_mb": services.evidence_file_limit() // (1024 * 1024),
        },
    )


def apply_done(request: HttpRequest) -> HttpResponse:
    done = _unsign(request, DONE, "done")
    if done is None:
        return redirect("portal:home")
    from fengqiao.disputes.models import Case

    case = Case.objects.select_related("platform", "region").get(pk=done["case"])
    return render(
        request, "portal/apply_done.html", {"case": case, "next": selectors.next_steps(case)}
    )


# --- Track, evaluate, documents ------------------------------------------------------------------


def track(request: HttpRequest) -> HttpResponse:
    return _phone_step(request, TRACK)


def _granted(request: HttpRequest) -> Any:
    grant = _unsign(request, GRANT, "grant")
    if grant is None:
        return None
    return selectors.party_get(int(grant["case"]), int(grant["party"]))


@never_cache
def case(request: HttpRequest) -> HttpResponse:
    party = _granted(request)
    if party is None:
        messages.info(request, _("请先验证手机号后查询。"))
        return redirect("portal:track")
    return _case_page(request, party, forms.ComplaintForm())


def _case_page(
    request: HttpRequest, party: Any, complaint_form: forms.ComplaintForm
) -> HttpResponse:
    view = selectors.party_case_view(party)
    refusal = mediators_policy.party_complaint_refusal(party)
    return render(
        request,
        "portal/case.html",
        {
            "view": view,
            "evaluation_form": forms.EvaluationForm(),
            "verify_url": reverse("portal:verify"),
            "complaints": mediators_selectors.party_complaints(party),
            "complaint_refusal": refusal,
            "complaint_form": complaint_form if refusal is None else None,
        },
    )


@require_POST
def complain(request: HttpRequest) -> HttpResponse:
    """投诉调解员: a party who has opened their case complains about its mediator of record;
    the handling org's staff handle it (``mediators``). What is typed stays on the page when
    it is refused."""
    party = _granted(request)
    if party is None:
        messages.info(request, _("请先验证手机号后查询。"))
        return redirect("portal:track")
    form = forms.ComplaintForm(request.POST)
    if not form.is_valid():
        return _case_page(request, party, form)
    try:
        throttle.hit(throttle.COMPLAINTS_PER_ADDRESS, _address(request))
        complaint = mediators_services.complaint_from_party(
            party=party, summary=form.cleaned_data["summary"], phone=form.cleaned_data["phone"]
        )
    except throttle.Throttled as exc:
        form.add_error(None, exc.message)
        return _case_page(request, party, form)
    except mediators_services.PartyComplaintRefused as exc:
        # The case's state refuses it (no mediator of record, a complaint being handled): the
        # page then says why instead of the form.
        messages.error(request, exc.message)
        return redirect("portal:case")
    messages.success(
        request,
        _("投诉已提交，将在%(day)s前处理完毕。") % {"day": f"{complaint.due_on:%Y年%-m月%-d日}"},
    )
    return redirect("portal:case")


@require_POST
def evaluate(request: HttpRequest) -> HttpResponse:
    party = _granted(request)
    if party is None:
        return redirect("portal:track")
    form = forms.EvaluationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评分。"))
        return redirect("portal:case")
    try:
        services.evaluation_add(
            case=party.case,
            party=party,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except services.EvaluationRefused as exc:
        messages.info(request, exc.message)
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("portal:case")


@never_cache
def document(request: HttpRequest, pk: int) -> HttpResponseBase:
    party = _granted(request)
    if party is None:
        return redirect("portal:track")
    found = selectors.party_document(party.case, pk)
    if found is None:
        raise Http404
    return FileResponse(
        iter([document_pdf(found)]),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{found.get_doc_type_display()}-{party.case.number}.pdf",
    )


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    for key in (GRANT, DONE, APPLY_PHONE, PENDING):
        request.session.pop(key, None)
    return redirect("portal:home")


# --- Knowledge base -----------------------------------------------------------------------------


def faq(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    query, topic = "", ""
    if form.is_bound and form.is_valid():
        query, topic = form.cleaned_data["q"], form.cleaned_data["topic"]
    articles = list(selectors.article_search(query, topic)[:50])
    return render(request, "portal/faq.html", {"form": form, "articles": articles, "query": query})


def faq_article(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get(slug)
    if article is None:
        raise Http404
    voted = slug in request.session.get(VOTED, [])
    return render(request, "portal/faq_article.html", {"article": article, "voted": voted})


@require_POST
def faq_vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_get(slug)
    if article is None:
        raise Http404
    voted = list(request.session.get(VOTED, []))[-100:]
    if slug not in voted:
        services.article_vote(article=article, helpful=request.POST.get("helpful") == "yes")
        request.session[VOTED] = [*voted, slug]
    messages.success(request, _("感谢您的反馈！"))
    return redirect("portal:faq_article", slug=slug)
