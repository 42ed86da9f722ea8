"""The pages of judicial confirmation (司法确认): the mediator files on the spot from the case
page, the court's judge and clerk work their queue and the application's page, the mediator
downloads the ruling and records its service. Each view parses, asks the policy through the
selector or service, and renders."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import has_perm, require
from fengqiao.core import uploads
from fengqiao.court import confirmation_forms as forms
from fengqiao.court.confirmation_policy import case_may_file, competent_court
from fengqiao.court.exports import CONFIRMATION_LEDGER
from fengqiao.court.permissions import REVIEW_CONFIRMATION, RULE_CONFIRMATION
from fengqiao.court.selectors import confirmation as selectors
from fengqiao.court.services import confirmation as services
from fengqiao.disputes.actions import Panel, register_panel
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.documents.services import document_pdf

REFUSALS = (CaseRuleError, PermissionDenied)


def _require_court(user: Any) -> None:
    if not (has_perm(user, REVIEW_CONFIRMATION) or has_perm(user, RULE_CONFIRMATION)):
        raise PermissionDenied


def panel_context(user: Any, case: Case) -> dict[str, Any]:
    return {"confirmation_panel": selectors.case_panel(user, case)}


def register_case_panel() -> None:
    register_panel(Panel("court/confirmation/_case_panel.html", panel_context))


# --- The mediator: filing, the ruling, its service -------------------------------------------


@login_required
def confirmation_file(request: HttpRequest, pk: int) -> HttpResponse:
    """申请司法确认 (就地申请) from a resolved case with a written agreement."""
    require(request.user, VIEW_CASE)
    case = case_get_for_user(request.user, pk)
    allowed = case_may_file(request.user, case)
    competent = competent_court(case) if allowed else None
    status = 200
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        form = forms.FileForm(request.POST, request.FILES, case=case, competent=competent)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.confirmation_file(
                    actor=request.user,
                    case_id=case.pk,
                    court_id=data["court"].pk,
                    applicant_ids=[p.pk for p in data["applicants"]],
                    involves_identity=data["involves_identity"],
                    involves_adoption=data["involves_adoption"],
                    involves_marriage=data["involves_marriage"],
                    scan=data["scan"],
                    scan_name=data["scan"].name or "",
                    scan_size=data["scan"].size or 0,
                    note=data["note"],
                )
            except REFUSALS as exc:
                form.add_error(None, str(exc.args[0] if exc.args else exc))
            else:
                messages.success(request, _("司法确认申请已提交，司法确认申请书已生成。"))
                return redirect(f"/cases/{case.pk}/#confirmation")
    else:
        form = forms.FileForm(case=case, competent=competent)
    return render(
        request,
        "court/confirmation/file.html",
        {"case": case, "form": form, "allowed": allowed, "competent": competent},
        status=status,
    )


@login_required
@require_GET
def confirmation_pdf(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """The 司法确认申请书 (``application``) or the court's decision (``decision``: the 民事裁定书
    or 不予受理通知书) as issued."""
    confirmation = selectors.confirmation_get_for_reader(request.user, pk)
    document = {
        "application": confirmation.application_document,
        "decision": confirmation.decision_document,
    }.get(which)
    if document is None:
        raise Http404
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    name = f"{document.get_doc_type_display()}-{confirmation.case.number}.pdf"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{document.public_id}.pdf\"; filename*=UTF-8''" + quote(name)
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def confirmation_scan(request: HttpRequest, pk: int) -> FileResponse:
    """The signed agreement as scanned at filing (audited read)."""
    confirmation = selectors.confirmation_get_for_reader(request.user, pk)
    response = FileResponse(
        services.confirmation_file_open(actor=request.user, confirmation=confirmation, what="scan"),
        as_attachment=True,
        filename=confirmation.scan_name,
        content_type=confirmation.scan_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def receipt_signature(request: HttpRequest, pk: int) -> FileResponse:
    """The party's signature on a recorded 送达回证: the image drawn on the pad or the scanned
    receipt, shown in the browser (a PDF scan is downloaded); audited."""
    receipt = selectors.receipt_get_for_reader(request.user, pk)
    extension = {uploads.PNG: "png", uploads.JPEG: "jpg", uploads.PDF: "pdf"}
    inline = receipt.content_type in (uploads.PNG, uploads.JPEG)
    response = FileResponse(
        services.receipt_file_open(actor=request.user, receipt=receipt),
        as_attachment=not inline,
        filename=f"送达回证签名-{receipt.pk}.{extension.get(receipt.content_type, 'bin')}",
        content_type=receipt.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def confirmation_serve(request: HttpRequest, pk: int) -> HttpResponse:
    """送达回证: the party's signature (pad or scanned receipt) for the ruling served."""
    confirmation = selectors.confirmation_get_for_reader(request.user, pk)
    form = forms.ServeForm(request.POST, request.FILES, case=confirmation.case)
    back = request.POST.get("back") == "court"
    target = (
        f"/court/confirmations/{confirmation.pk}/"
        if back
        else f"/cases/{confirmation.case_id}/#confirmation"
    )
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}{error}"
                )
        return redirect(target) if form.data.get("party") else HttpResponse(status=400)
    upload = form.cleaned_data["signature"]
    if upload is None:
        messages.error(request, _("请在签名板上签名，或上传签收后的送达回证扫描件。"))
        return redirect(target)
    try:
        services.receipt_record(
            actor=request.user,
            confirmation_id=confirmation.pk,
            party_id=form.cleaned_data["party"].pk,
            method=form.cleaned_data["method"],
            file=upload,
            name=upload.name or "",
            size=upload.size or 0,
            served_at=form.cleaned_data["served_at"],
            place=form.cleaned_data["place"],
        )
    except REFUSALS as exc:
        messages.error(request, str(exc.args[0] if exc.args else exc))
    else:
        messages.success(request, _("送达回证已记录。"))
    return redirect(target)


# --- The court: queue, application, decisions ----------------------------------------------


@login_required
@require_GET
def confirmation_queue(request: HttpRequest) -> HttpResponse:
    _require_court(request.user)
    queue = selectors.confirmation_queue(request.user, request.GET.get("tab", ""))
    return render(
        request,
        "court/confirmation/queue.html",
        {"queue": queue, "can_export": CONFIRMATION_LEDGER.may_export(request.user)},
    )


@login_required
@require_GET
def confirmation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_court(request.user)
    return _detail(request, pk)


def _detail(
    request: HttpRequest, pk: int, *, failed: tuple[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    detail = selectors.confirmation_detail(request.user, pk)
    c = detail.confirmation
    made: dict[str, Any] = {
        "refuse": forms.RefuseForm(prefix="refuse"),
        "extend": forms.ExtendForm(prefix="extend"),
        "rule": forms.RuleForm(prefix="rule"),
    }
    if failed is not None:
        made[failed[0]] = failed[1]
    return render(
        request,
        "court/confirmation/detail.html",
        {"detail": detail, "c": c, "forms": made, "open_form": failed[0] if failed else ""},
        status=status,
    )


def _act(request: HttpRequest, pk: int, name: str, form: Any, call: Any) -> HttpResponse:
    _require_court(request.user)
    selectors.confirmation_get_for_user(request.user, pk)  # 404 outside the court's own
    if form is not None and not form.is_valid():
        return _detail(request, pk, failed=(name, form), status=400)
    try:
        done = call(form.cleaned_data if form is not None else {})
    except REFUSALS as exc:
        message = str(exc.args[0] if exc.args else exc)
        if form is None:
            raise PermissionDenied(message) from exc
        form.add_error(None, message)
        return _detail(request, pk, failed=(name, form), status=400)
    messages.success(request, done)
    return redirect("court:confirmation_detail", pk=pk)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_POST
def confirmation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    if "version" not in request.POST:
        _require_court(request.user)
        selectors.confirmation_get_for_user(request.user, pk)
        return HttpResponse(status=400)

    def call(_data: Any) -> str:
        c = services.confirmation_accept(
            actor=request.user, confirmation_id=pk, version=_version(request)
        )
        return _("已受理，案号%(number)s。") % {"number": c.number}

    return _act(request, pk, "accept", None, call)


@login_required
@require_POST
def confirmation_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.RefuseForm(request.POST, prefix="refuse")

    def call(data: Any) -> str:
        services.confirmation_refuse(
            actor=request.user,
            confirmation_id=pk,
            reasons=data["reasons"],
            version=_version(request),
        )
        return _("已决定不予受理，不予受理通知书已生成。")

    return _act(request, pk, "refuse", form, call)


@login_required
@require_POST
def confirmation_extend(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.ExtendForm(request.POST, prefix="extend")

    def call(data: Any) -> str:
        services.confirmation_extend(
            actor=request.user,
            confirmation_id=pk,
            approver=data["approver"],
            reason=data["reason"],
            version=_version(request),
        )
        return _("审查期限已延长十日。")

    return _act(request, pk, "extend", form, call)


@login_required
@require_POST
def confirmation_rule(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.RuleForm(request.POST, prefix="rule")

    def call(data: Any) -> str:
        c = services.confirmation_rule(
            actor=request.user,
            confirmation_id=pk,
            confirmed=data["outcome"] == "confirmed",
            reasons=data["reasons"],
            version=_version(request),
        )
        return _("已裁定（%(status)s），民事裁定书已生成。") % {"status": c.get_status_display()}

    return _act(request, pk, "rule", form, call)


@login_required
@require_POST
def flag_acknowledge(request: HttpRequest, flag: int) -> HttpResponse:
    pk = selectors.flag_confirmation_id(flag)
    if pk is None:
        raise Http404
    form = forms.AcknowledgeForm(request.POST)

    def call(data: Any) -> str:
        services.flag_acknowledge(actor=request.user, flag_id=flag, note=data["note"])
        return _("已确认该筛查提示。")

    return _act(request, pk, "acknowledge", form, call)
