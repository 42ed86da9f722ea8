"""API v1, judicial confirmation (司法确认): a court's own system (or a committee's) files an
application, lists the court's applications, accepts or refuses one, acknowledges its
false-mediation flags, rules, and fetches the issued PDFs — through the same policy and services
as the pages (``fengqiao.court``). docs/api.md describes each call."""

from __future__ import annotations

import base64
import binascii
import io
from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from fengqiao.api.choices import ApiScope
from fengqiao.api.selectors import case_by_number_for_user
from fengqiao.api.services import ApiInputError
from fengqiao.core.masking import mask_name
from fengqiao.court.confirmation_policy import competent_court
from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus, FlagCode
from fengqiao.court.selectors import confirmation as selectors
from fengqiao.court.services import confirmation as services
from fengqiao.documents.services import document_pdf

router = Router(tags=["confirmations"])

# Base64 makes a file a third larger: the body limit of the filing call is set from the scan's.
SCAN_FIELD_LIMIT = services.SCAN_MAX_BYTES_DEFAULT * 4 // 3 + 4


def _key(request: HttpRequest, scope: ApiScope) -> Any:
    from fengqiao.api.api import _key as api_key

    return api_key(request, scope)


class ConfirmationIn(Schema):
    applicant_names: list[str] = Field(
        min_length=2,
        max_length=20,
        description="共同申请的当事人姓名（须与案件当事人一致，至少包括申请人一方和被申请人一方）",
    )
    court_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="受理法院的单位 id；不填则为管辖法院"
    )
    involves_identity: bool = Field(False, description="协议是否涉及确认身份关系")
    involves_adoption: bool = Field(False, description="协议是否涉及收养关系")
    involves_marriage: bool = Field(False, description="协议是否涉及婚姻关系")
    scan_name: str = Field(max_length=255, description="协议扫描件文件名（.pdf/.jpg/.png）")
    scan_base64: str = Field(
        max_length=SCAN_FIELD_LIMIT, description="签字盖章的调解协议书扫描件，Base64 编码"
    )
    note: str = Field("", max_length=2000, description="申请说明")


class ReasonsIn(Schema):
    reasons: str = Field(min_length=1, max_length=2000, description="理由")


class RuleIn(Schema):
    outcome: Literal["confirmed", "rejected"] = Field(description="确认有效 / 驳回申请")
    reasons: str = Field(min_length=1, max_length=4000, description="裁定理由")


class AcknowledgeIn(Schema):
    note: str = Field("", max_length=2000, description="审查意见")


class FlagOut(Schema):
    code: str
    label: str
    reason: str
    acknowledged_at: datetime | None


class ConfirmationOut(Schema):
    id: int
    case_number: str
    number: str = Field(description="案号（受理后）")
    status: str
    status_label: str
    court: str
    filed_org: str
    applicants: list[str] = Field(description="申请人（已脱敏）")
    filed_at: datetime
    effective_at: datetime
    accept_due_at: datetime
    rule_due_at: datetime | None
    extended: bool
    decided_at: datetime | None
    reasons: str
    flags: list[FlagOut]
    has_ruling: bool


class ConfirmationPageOut(Schema):
    items: list[ConfirmationOut]


def _out(c: Confirmation) -> dict[str, Any]:
    def local(value: datetime | None) -> datetime | None:
        return timezone.localtime(value) if value is not None else None

    return {
        "id": c.pk,
        "case_number": c.case.number,
        "number": c.number,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "court": c.court.name,
        "filed_org": c.filed_org.name,
        "applicants": [mask_name(p.name) for p in c.applicants.all()],
        "filed_at": local(c.filed_at),
        "effective_at": local(c.effective_at),
        "accept_due_at": local(c.accept_due_at),
        "rule_due_at": local(c.rule_due_at),
        "extended": c.extended_at is not None,
        "decided_at": local(c.decided_at),
        "reasons": c.reasons,
        "flags": [
            {
                "code": f.code,
                "label": str(f.get_code_display()),
                "reason": f.reason,
                "acknowledged_at": local(f.acknowledged_at),
            }
            for f in c.flags.all()
        ],
        "has_ruling": c.status in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED),
    }


def _court_side(user: Any, pk: int) -> Confirmation:
    try:
        return selectors.confirmation_get_for_user(user, pk)
    except Http404:
        raise Http404(_("未找到该司法确认申请，或您无权查看。")) from None


def _readable(user: Any, pk: int) -> Confirmation:
    try:
        return selectors.confirmation_get_for_reader(user, pk)
    except Http404:
        raise Http404(_("未找到该司法确认申请，或您无权查看。")) from None


ID = Path(..., ge=1, le=2**31 - 1)


def _errors() -> dict[int | frozenset[int], Any]:
    from fengqiao.api.api import ERRORS as api_errors
    from fengqiao.api.schemas import ErrorOut

    return {**api_errors, 404: ErrorOut}


@router.post(
    "/cases/{number}/confirmations",
    response={201: ConfirmationOut, **_errors()},
    summary="申请司法确认（就地申请）",
    url_name="confirmation_create",
)
def confirmation_create(
    request: HttpRequest, number: str, payload: ConfirmationIn
) -> Status[dict[str, Any]]:
    key = _key(request, ApiScope.CONFIRMATIONS_WRITE)
    case = case_by_number_for_user(key.user, number)
    try:
        scan = base64.b64decode(payload.scan_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiInputError(_("scan_base64 不是合法的 Base64。"), field="scan_base64") from None
    parties = list(case.parties.all())
    wanted = [n.strip() for n in payload.applicant_names]
    unknown = [n for n in wanted if n not in {p.name for p in parties}]
    if unknown:
        raise ApiInputError(
            _("以下姓名不是本案当事人：%(names)s。") % {"names": "、".join(unknown)},
            field="applicant_names",
        )
    court = competent_court(case) if payload.court_id is None else None
    confirmation = services.confirmation_file(
        actor=key.user,
        case_id=case.pk,
        court_id=payload.court_id or (court.pk if court else 0),
        applicant_ids=[p.pk for p in parties if p.name in wanted],
        involves_identity=payload.involves_identity,
        involves_adoption=payload.involves_adoption,
        involves_marriage=payload.involves_marriage,
        scan=io.BytesIO(scan),
        scan_name=payload.scan_name,
        scan_size=len(scan),
        note=payload.note,
    )
    return Status(201, _out(_readable(key.user, confirmation.pk)))


@router.get(
    "/confirmations",
    response={200: ConfirmationPageOut, **_errors()},
    summary="本院司法确认申请（待受理、待裁定、已裁定）",
    url_name="confirmation_list",
)
def confirmation_list(
    request: HttpRequest,
    tab: Literal["to_accept", "to_rule", "decided"] = "to_accept",
    limit: int = Query(50, ge=1, le=selectors.QUEUE_PAGE),
) -> dict[str, Any]:
    key = _key(request, ApiScope.CONFIRMATIONS_READ)
    return {"items": [_out(c) for c in selectors.confirmation_rows(key.user, tab, limit=limit)]}


@router.get(
    "/confirmations/{confirmation_id}",
    response={200: ConfirmationOut, **_errors()},
    summary="查询司法确认申请",
    url_name="confirmation_detail",
)
def confirmation_detail(request: HttpRequest, confirmation_id: int = ID) -> dict[str, Any]:
    key = _key(request, ApiScope.CONFIRMATIONS_READ)
    return _out(_readable(key.user, confirmation_id))


@router.post(
    "/confirmations/{confirmation_id}/accept",
    response={200: ConfirmationOut, **_errors()},
    summary="受理",
    url_name="confirmation_accept",
)
def confirmation_accept(request: HttpRequest, confirmation_id: int = ID) -> dict[str, Any]:
    key = _key(request, ApiScope.CONFIRMATIONS_WRITE)
    _court_side(key.user, confirmation_id)
    services.confirmation_accept(actor=key.user, confirmation_id=confirmation_id)
    return _out(_court_side(key.user, confirmation_id))


@router.post(
    "/confirmations/{confirmation_id}/refuse",
    response={200: ConfirmationOut, **_errors()},
    summary="不予受理",
    url_name="confirmation_refuse",
)
def confirmation_refuse(
    request: HttpRequest, payload: ReasonsIn, confirmation_id: int = ID
) -> dict[str, Any]:
    key = _key(request, ApiScope.CONFIRMATIONS_WRITE)
    _court_side(key.user, confirmation_id)
    services.confirmation_refuse(
        actor=key.user, confirmation_id=confirmation_id, reasons=payload.reasons
    )
    return _out(_court_side(key.user, confirmation_id))


@router.post(
    "/confirmations/{confirmation_id}/flags/{code}/acknowledge",
    response={200: ConfirmationOut, **_errors()},
    summary="确认虚假调解筛查提示",
    url_name="confirmation_flag_acknowledge",
)
def confirmation_flag_acknowledge(
    request: HttpRequest, code: FlagCode, payload: AcknowledgeIn, confirmation_id: int = ID
) -> dict[str, Any]:
    key = _key(request, ApiScope.CONFIRMATIONS_WRITE)
    confirmation = _court_side(key.user, confirmation_id)
    flag = confirmation.flags.filter(code=code).first()
    if flag is None:
        raise Http404(_("该申请没有此项筛查提示。"))
    services.flag_acknowledge(actor=key.user, flag_id=flag.pk, note=payload.note)
    return _out(_court_side(key.user, confirmation_id))


@router.post(
    "/confirmations/{confirmation_id}/rule",
    response={200: ConfirmationOut, **_errors()},
    summary="裁定（确认有效或驳回申请）",
    url_name="confirmation_rule",
)
def confirmation_rule(
    request: HttpRequest, payload: RuleIn, confirmation_id: int = ID
) -> dict[str, Any]:
    key = _key(request, ApiScope.CONFIRMATIONS_WRITE)
    _court_side(key.user, confirmation_id)
    services.confirmation_rule(
        actor=key.user,
        confirmation_id=confirmation_id,
        confirmed=payload.outcome == "confirmed",
        reasons=payload.reasons,
    )
    return _out(_court_side(key.user, confirmation_id))


PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/confirmations/{confirmation_id}/ruling.pdf",
    response={**_errors()},
    summary="下载民事裁定书（或不予受理通知书）PDF",
    url_name="confirmation_ruling_pdf",
    openapi_extra=PDF_RESPONSE,
)
def confirmation_ruling_pdf(request: HttpRequest, confirmation_id: int = ID) -> HttpResponse:
    key = _key(request, ApiScope.CONFIRMATIONS_READ)
    confirmation = _readable(key.user, confirmation_id)
    document = confirmation.decision_document
    if document is None:
        raise Http404(_("该申请尚未裁定。"))
    response = HttpResponse(document_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.public_id}.pdf"'
    return response
