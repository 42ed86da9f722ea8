"""Evidence and issued documents are served only through an access check; documents are issued
from the case page's 文书 section. (The mediation panel's actions run as every case action:
``mediation/actions.py``.)"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fengqiao.accounts.access import require
from fengqiao.disputes.disclosure import case_disclosure
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import case_get_for_user
from fengqiao.disputes.services.errors import AlreadyDone
from fengqiao.documents.services import DocumentRefused
from fengqiao.mediation import documents, selectors, services
from fengqiao.mediation.forms import DocumentIssueForm


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    require(request.user, VIEW_CASE)
    evidence = selectors.evidence_get_for_user(request.user, pk)
    response = FileResponse(
        services.evidence_open(actor=request.user, evidence=evidence),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """出具 PDF from the case page's 文书 section."""
    require(request.user, VIEW_CASE)
    case = case_get_for_user(request.user, pk)
    back = redirect("disputes:case_detail", pk=case.pk)
    form = DocumentIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("出具文书的请求不完整，请刷新页面后再试。"))
        return back
    data = form.cleaned_data
    try:
        issued = documents.case_document_issue(
            actor=request.user,
            case_id=case.pk,
            doc_type=data["doc_type"],
            subject=data["subject"],
            after=data["after"],
        )
    except AlreadyDone as again:
        # The same click again (or a second tab): issued once, not twice.
        messages.info(request, str(again))
    except DocumentRefused as refused:
        # A signed type and an org without a valid signing certificate: who must upload one.
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("已出具%(type)s第%(version)s版。")
            % {"type": issued.get_doc_type_display(), "version": issued.version},
        )
    return redirect(f"{back.url}#documents")


@login_required
@require_GET
def document_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """An issued PDF, for whoever sees its case with the parties' names in full."""
    require(request.user, VIEW_CASE)
    document = selectors.issued_document_for_user(request.user, public_id)
    pdf = documents.case_document_pdf(actor=request.user, document=document)
    name = f"{document.get_doc_type_display()}-{document.case_number}-v{document.version}.pdf"
    return _attachment(pdf, name, "application/pdf")


@login_required
@require_GET
def document_docx(request: HttpRequest, pk: int, doc_type: str) -> HttpResponse:
    """The DOCX working copy of a document of the case, generated now from the same context as
    its PDF; the parties' names as this user is shown them."""
    require(request.user, VIEW_CASE)
    case = case_get_for_user(request.user, pk)
    subject = request.GET.get("subject", "")[:40]
    facts = documents.CaseFacts(case)
    shown = case_disclosure(request.user, case)
    try:
        content = documents.case_document_docx(
            facts=facts, doc_type=doc_type, subject=subject, shown=shown
        )
    except LookupError:
        raise Http404 from None
    kind = documents.kind_for(doc_type)
    label = kind.label if kind else doc_type
    return _attachment(
        content,
        f"{label}-{case.number}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
