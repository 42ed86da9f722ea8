"""The public verification page: anyone holding a document checks that it is genuine."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fengqiao.core.crypto import sm3_hex
from fengqiao.core.uploads import PDF, UploadRefused, check_pdf, read_limited, sniff
from fengqiao.documents.forms import VerifyForm
from fengqiao.documents.models import IssuedDocument

# An issued document is a few hundred KB; a file larger than this cannot be one.
VERIFY_MAX_BYTES = 5 * 1024 * 1024


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """No login: shows what the document is (type, issuer, date, version, masked names) and
    whether an uploaded PDF is byte for byte the one issued."""
    document = get_object_or_404(
        IssuedDocument.objects.select_related("issuer_org"), public_id=public_id
    )
    genuine: bool | None = None
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
    return render(
        request,
        "documents/verify.html",
        {"document": document, "form": form, "genuine": genuine},
    )
