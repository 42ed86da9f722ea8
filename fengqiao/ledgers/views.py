"""工作台帐 pages: the ledgers a user may export, an export (streamed, or queued when large),
我的导出 and its downloads. Parse, authorize (``LedgerKind.may_export``), call, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fengqiao.accounts.access import has_perm
from fengqiao.core.xlsx import XLSX_CONTENT_TYPE, ledger_tempfile
from fengqiao.ledgers import registry, selectors, services
from fengqiao.ledgers.permissions import EXPORT_LEDGER


def _private(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def ledger_index(request: HttpRequest) -> HttpResponse:
    """工作台帐 — the ledgers the user may export (each from its list page, filtered as there)
    and 我的导出, the large ones the task queue wrote for them."""
    user: Any = request.user
    if not has_perm(user, EXPORT_LEDGER):
        raise PermissionDenied
    kinds = registry.kinds_for(user)
    exports = selectors.recent_exports(user)
    return render(
        request,
        "ledgers/index.html",
        {
            "kinds": kinds,
            "exports": exports,
            "exportable": {k.code for k in kinds},
            "pending": any(e.pending for e in exports),
            "stream_max": services.stream_max_rows(),
        },
    )


@login_required
@require_GET
def export_status(request: HttpRequest) -> JsonResponse:
    """What 我的导出's script asks every few seconds while a row is 排队中 or 生成中
    (``ids``: the rows it shows as pending): each of them rendered as the page renders it, and
    which are still pending (none: the script stops asking)."""
    user: Any = request.user
    if not has_perm(user, EXPORT_LEDGER):
        raise PermissionDenied
    ids: list[int] = []
    for part in request.GET.get("ids", "").split(",")[: selectors.RECENT]:
        if part.strip().isdigit():
            ids.append(int(part))
    exports = selectors.exports_of_user_by_id(user, ids)
    exportable = {k.code for k in registry.kinds_for(user)}
    rows = {
        str(e.pk): render_to_string(
            "ledgers/_export_row.html", {"e": e, "exportable": exportable}, request=request
        )
        for e in exports
    }
    response = JsonResponse(
        {"rows": rows, "pending": [e.pk for e in exports if e.pending]},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def ledger_export(request: HttpRequest, code: str) -> HttpResponseBase:
    """导出台账 of one list page, with the page's filters (its query string): written while the
    user waits up to ``stream_max_rows`` rows, above that queued (我的导出)."""
    user: Any = request.user
    kind = registry.kind(code)
    if kind is None:
        raise Http404
    if not kind.may_export(user):
        raise PermissionDenied
    params = {key: request.GET.get(key, "") for key in request.GET}
    ledger = kind.build(user, params)
    expected = ledger.queryset.count()
    if expected > services.stream_max_rows():
        services.ledger_export_queue(actor=user, kind=kind, params=params, expected_rows=expected)
        messages.info(
            request,
            _("共%(n)d行，已转入后台生成；生成后可在“我的导出”中下载。") % {"n": expected},
        )
        return redirect("ledgers:index")
    target = ledger_tempfile()
    try:
        services.ledger_write(actor=user, kind=kind, ledger=ledger, target=target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    response = FileResponse(
        target,
        as_attachment=True,
        filename=services.ledger_filename(kind, timezone.now()),
        content_type=XLSX_CONTENT_TYPE,
    )
    return _private(response)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """A finished export of 我的导出 (its exporter's alone)."""
    user: Any = request.user
    export = selectors.export_get_for_user(user, pk)
    response = FileResponse(
        services.ledger_export_open(actor=user, export=export),
        as_attachment=True,
        filename=export.filename,
        content_type=XLSX_CONTENT_TYPE,
    )
    return _private(response)
