"""The public verification page (anyone holding a document checks that it is genuine and
unaltered, and how its signature validates) and the org admin's signing-credential pages."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fengqiao.accounts.access import require
from fengqiao.core.crypto import sm3_hex
from fengqiao.core.uploads import PDF, UploadRefused, check_pdf, read_limited, sniff
from fengqiao.documents import services
from fengqiao.documents.forms import CredentialUploadForm, VerifyForm
from fengqiao.documents.models import IssuedDocument, SigningTrustRoot
from fengqiao.documents.policy import credential_may_upload
from fengqiao.documents.selectors import (
    credential_history,
    credential_rows,
    signing_org_get_for_user,
    signing_orgs_for_user,
    trust_root_list,
    trust_roots,
)
from fengqiao.documents.signing import CredentialRefused, validate_pdf
from fengqiao.orgs.permissions import MANAGE_ORGS

# An issued document is a few hundred KB; a file larger than this cannot be one.
VERIFY_MAX_BYTES = 5 * 1024 * 1024
# A PKCS#12 file holds a key and a few certificates: a few KB.
CREDENTIAL_MAX_BYTES = 256 * 1024


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """No login: shows what the document is (type, issuer, date, version, masked names, who
    signed it and when), whether an uploaded PDF is byte for byte the one issued, and how its
    signature validates against the platform's trust roots."""
    document = get_object_or_404(
        IssuedDocument.objects.select_related("issuer_org", "signed_with"), public_id=public_id
    )
    genuine: bool | None = None
    signature = None
    form = VerifyForm()
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                data = read_limited(form.cleaned_data["file"], VERIFY_MAX_BYTES, _("文书"))
                if sniff(data[:16]) != PDF:
                    raise UploadRefused(_("请上传PDF文件。"))
                check_pdf(data)
            except UploadRefused as exc:
                form.add_error("file", str(exc))
            else:
                genuine = (
                    hashlib.sha256(data).hexdigest() == document.sha256
                    and sm3_hex(data) == document.sm3
                )
                signature = validate_pdf(data, trust_roots(), moment=document.signed_at)
    return render(
        request,
        "documents/verify.html",
        {
            "document": document,
            "form": form,
            "genuine": genuine,
            "checked": genuine is not None,
            "signature": signature,
            "trust_roots": trust_root_list(),
        },
    )


@require_GET
def trust_root_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A trust root's certificate (PEM), to add to a PDF reader's trusted certificates."""
    root = get_object_or_404(SigningTrustRoot, pk=pk)
    response = HttpResponse(root.certificate_pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="fengqiao-ca-{root.pk}.crt"'
    return response


@login_required
@require_GET
def credential_list(request: HttpRequest) -> HttpResponse:
    """The courts and committees the org admin manages, each with its active credential."""
    require(request.user, MANAGE_ORGS)
    rows = credential_rows(signing_orgs_for_user(request.user))
    return render(request, "documents/credential_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def credential_upload(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    org = signing_org_get_for_user(request.user, pk)
    if not credential_may_upload(request.user, org):
        raise PermissionDenied
    form = CredentialUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = read_limited(form.cleaned_data["file"], CREDENTIAL_MAX_BYTES, _("证书文件"))
            credential = services.credential_upload(
                actor=request.user,
                org=org,
                data=data,
                password=form.cleaned_data["password"],
            )
        except (UploadRefused, CredentialRefused) as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _("已为“%(org)s”启用签名证书“%(subject)s”，有效期至%(until)s。")
                % {
                    "org": org.name,
                    "subject": credential.subject,
                    "until": credential.valid_until.date().isoformat(),
                },
            )
            return redirect("signing:credential_list")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "documents/credential_upload.html",
        {"org": org, "form": form, "history": credential_history(org)},
        status=status,
    )
