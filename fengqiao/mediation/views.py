"""Evidence is served only through an access check. (The mediation panel's actions run as
every case action: ``mediation/actions.py``.)"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from fengqiao.accounts.access import require
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.mediation import selectors, services


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
