"""API v1, 诉调对接 (court referral): a court's own system sends a case it registered through
``POST /cases`` (channel court_pre/court_post) to a member of its 特邀调解 roster, reads its
referrals with their periods, and records 已立案 of a returned case; the mediation side returns
a failed case with the undisputed facts. The court also adds its 案号 to a 委托 the platform
dispatched (``/number``) and withdraws an open referral (``/withdraw``). The same services and
policy as the pages (``court.services.referral``, ``court.referral_policy``); the key's user
acts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, field_validator

from fengqiao.api.choices import ApiScope
from fengqiao.api.schemas import ErrorOut, _error
from fengqiao.core.validators import validate_no_control_characters
from fengqiao.court.models import CourtReferral
from fengqiao.court.models.referral import ReferralStatus
from fengqiao.court.referral_policy import court_ids, is_court_user
from fengqiao.court.selectors.referral import periods_of
from fengqiao.court.services import referral as services
from fengqiao.disputes.choices import CourtProcedure
from fengqiao.mediation.outcomes import case_fail

router = Router(tags=["referrals"])
MAX_PAGE = 100
# Ids the database can hold (a larger number would overflow the query, not miss).
MAX_ID = 2**31 - 1
ReferralId = Annotated[int, Path(ge=1, le=MAX_ID, description="委派委托记录 id")]


def _key(request: HttpRequest, scope: ApiScope) -> Any:
    # api.py builds the API from this router: read its key check when a request comes.
    from fengqiao.api.api import _key as key_of

    return key_of(request, scope)


def _text(value: str, what: str) -> str:
    try:
        validate_no_control_characters(value, multiline=True)
    except DjangoValidationError as exc:
        raise _error("text_control", f"{what}：{exc.messages[0]}") from None
    return value.strip()


class ReferralIn(Schema):
    case_number: str = Field(max_length=40, description="本院经 POST /cases 登记的案件编号")
    member_id: int = Field(ge=1, le=MAX_ID, description="本院特邀调解名册中已入册的成员 id")
    court_case_number: str = Field("", max_length=60, description="法院案号（委托调解必填）")
    procedure: CourtProcedure | None = Field(None, description="审理程序（委托调解必填）")
    note: str = Field("", max_length=2000, description="委派说明")

    @field_validator("court_case_number", "note")
    @classmethod
    def _checked(cls, value: str) -> str:
        return _text(value, _("文本"))


class FileIn(Schema):
    filed_number: str = Field(min_length=1, max_length=60, description="立案案号")

    @field_validator("filed_number")
    @classmethod
    def _checked(cls, value: str) -> str:
        value = _text(value, _("立案案号"))
        if not value:
            raise _error("blank", _("请填写立案案号。"))
        return value


class NumberIn(Schema):
    court_case_number: str = Field(min_length=1, max_length=60, description="法院案号")
    procedure: CourtProcedure = Field(
        description="审理程序：ordinary 普通程序 / simplified 简易程序"
    )

    @field_validator("court_case_number")
    @classmethod
    def _checked(cls, value: str) -> str:
        return _text(value, _("法院案号"))


class WithdrawIn(Schema):
    reason: str = Field(min_length=1, max_length=1000, description="撤回原因")

    @field_validator("reason")
    @classmethod
    def _checked(cls, value: str) -> str:
        value = _text(value, _("撤回原因"))
        if not value:
            raise _error("blank", _("撤回须说明理由。"))
        return value


class ReturnIn(Schema):
    undisputed_facts: str = Field(min_length=1, max_length=5000, description="无争议事实记载")
    note: str = Field("", max_length=2000, description="调解员说明")

    @field_validator("undisputed_facts", "note")
    @classmethod
    def _checked(cls, value: str) -> str:
        return _text(value, _("文本"))


class PeriodOut(Schema):
    due_at: datetime
    started_at: datetime | None
    extended_days: int
    provisional: bool
    running: bool


class ReferralOut(Schema):
    id: int
    case_number: str
    case_title: str
    court: str
    kind: str
    kind_label: str
    court_case_number: str
    procedure: str
    org: str
    mediator: str | None
    status: ReferralStatus
    status_label: str
    sent_at: datetime
    accepted_at: datetime | None
    returned_at: datetime | None
    undisputed_facts: str
    return_note: str
    filed_number: str
    filed_at: datetime | None
    period: PeriodOut | None


class ReferralPageOut(Schema):
    items: list[ReferralOut]
    next_cursor: str | None


ERRORS: dict[int | frozenset[int], Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _out(referral: CourtReferral, period: Any) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "case_number": referral.case.number,
        "case_title": referral.case.title,
        "court": referral.court.name,
        "kind": referral.kind,
        "kind_label": str(referral.get_kind_display()),
        "court_case_number": referral.court_case_number,
        "procedure": referral.procedure,
        "org": referral.org.name,
        "mediator": referral.mediator.name if referral.mediator else None,
        "status": referral.status,
        "status_label": str(referral.get_status_display()),
        "sent_at": _local(referral.sent_at),
        "accepted_at": _local(referral.accepted_at),
        "returned_at": _local(referral.returned_at),
        "undisputed_facts": referral.undisputed_facts,
        "return_note": referral.return_note,
        "filed_number": referral.filed_number,
        "filed_at": _local(referral.filed_at),
        "period": None
        if period is None
        else {
            "due_at": _local(period.due_at),
            "started_at": _local(period.started_at),
            "extended_days": period.extended_days,
            "provisional": period.provisional,
            "running": period.open,
        },
    }


def _one(user: Any, referral_id: int, *, as_court: bool = True) -> CourtReferral:
    """A referral of the user's courts (or, ``as_court=False``, one whose case the user
    handles); 404 otherwise."""
    qs = CourtReferral.objects.select_related("case", "court", "org", "mediator")
    if as_court:
        qs = qs.filter(court_id__in=court_ids(user))
    referral = qs.filter(pk=referral_id).first()
    if referral is None:
        raise Http404(str(referral_id))
    return referral


def _require_court(user: Any) -> None:
    if not is_court_user(user):
        raise PermissionDenied(_("只有法院（法庭）的工作人员可以使用诉调对接接口。"))


@router.post(
    "",
    response={201: ReferralOut, **ERRORS},
    summary="委派/委托调解",
    url_name="referral_create",
)
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    key = _key(request, ApiScope.REFERRALS_WRITE)
    _require_court(key.user)
    from fengqiao.api.selectors import case_by_number_for_user

    case = case_by_number_for_user(key.user, payload.case_number)
    referral = services.referral_send(
        actor=key.user,
        case_id=case.pk,
        member_id=payload.member_id,
        court_case_number=payload.court_case_number,
        procedure=payload.procedure or "",
        note=payload.note,
    )
    referral = _one(key.user, referral.pk)
    return Status(201, _out(referral, None))


@router.get(
    "",
    response={200: ReferralPageOut, **ERRORS},
    summary="本院委派委托案件列表（按 id 翻页）",
    url_name="referral_list",
)
def referral_list(
    request: HttpRequest,
    status: ReferralStatus | None = None,
    to_file: bool = False,
    cursor: str = "",
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    key = _key(request, ApiScope.REFERRALS_READ)
    _require_court(key.user)
    after = 0
    if cursor:
        if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
            from fengqiao.api.services import ApiInputError

            raise ApiInputError(_("cursor 无效，请使用上一页返回的 next_cursor。"), field="cursor")
        after = int(cursor)
    qs = CourtReferral.objects.filter(court_id__in=court_ids(key.user), pk__gt=after)
    if status:
        qs = qs.filter(status=status)
    if to_file:
        qs = qs.filter(status__in=["returned", "expired"], filed_at__isnull=True)
    rows = list(qs.select_related("case", "court", "org", "mediator").order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    periods = periods_of([r.case_id for r in rows])
    return {
        "items": [_out(r, periods.get(r.case_id)) for r in rows],
        "next_cursor": str(rows[-1].pk) if more and rows else None,
    }


@router.get(
    "/{referral_id}",
    response={200: ReferralOut, **ERRORS},
    summary="委派委托案件详情（状态、调解期限、退回事实）",
    url_name="referral_detail",
)
def referral_detail(request: HttpRequest, referral_id: ReferralId) -> dict[str, Any]:
    key = _key(request, ApiScope.REFERRALS_READ)
    _require_court(key.user)
    referral = _one(key.user, referral_id)
    return _out(referral, periods_of([referral.case_id]).get(referral.case_id))


@router.post(
    "/{referral_id}/file",
    response={200: ReferralOut, **ERRORS},
    summary="退回案件登记立案",
    url_name="referral_file",
)
def referral_file(request: HttpRequest, referral_id: ReferralId, payload: FileIn) -> dict[str, Any]:
    key = _key(request, ApiScope.REFERRALS_WRITE)
    _require_court(key.user)
    _one(key.user, referral_id)
    services.referral_file(
        actor=key.user, referral_id=referral_id, filed_number=payload.filed_number
    )
    referral = _one(key.user, referral_id)
    return _out(referral, periods_of([referral.case_id]).get(referral.case_id))


@router.post(
    "/{referral_id}/number",
    response={200: ReferralOut, **ERRORS},
    summary="为平台交办的委托调解补录法院案号和审理程序",
    url_name="referral_number",
)
def referral_number(
    request: HttpRequest, referral_id: ReferralId, payload: NumberIn
) -> dict[str, Any]:
    key = _key(request, ApiScope.REFERRALS_WRITE)
    _require_court(key.user)
    _one(key.user, referral_id)
    services.referral_number(
        actor=key.user,
        referral_id=referral_id,
        court_case_number=payload.court_case_number,
        procedure=payload.procedure,
    )
    referral = _one(key.user, referral_id)
    return _out(referral, periods_of([referral.case_id]).get(referral.case_id))


@router.post(
    "/{referral_id}/withdraw",
    response={200: ReferralOut, **ERRORS},
    summary="法院撤回委派/委托调解",
    url_name="referral_withdraw",
)
def referral_withdraw(
    request: HttpRequest, referral_id: ReferralId, payload: WithdrawIn
) -> dict[str, Any]:
    key = _key(request, ApiScope.REFERRALS_WRITE)
    _require_court(key.user)
    _one(key.user, referral_id)
    services.referral_withdraw(actor=key.user, referral_id=referral_id, reason=payload.reason)
    referral = _one(key.user, referral_id)
    return _out(referral, periods_of([referral.case_id]).get(referral.case_id))


@router.post(
    "/{referral_id}/return",
    response={200: ReferralOut, **ERRORS},
    summary="调解不成，连同无争议事实退回法院",
    url_name="referral_return",
)
def referral_return(
    request: HttpRequest, referral_id: ReferralId, payload: ReturnIn
) -> dict[str, Any]:
    """The mediation side's 调解不成 of a referred case (the page's 调解不成): the handling org's
    mediator, while mediating; the court then finds it to file."""
    key = _key(request, ApiScope.REFERRALS_WRITE)
    from fengqiao.api.selectors import case_by_number_for_user

    referral = _one(key.user, referral_id, as_court=False)
    # The case must be one the key's user sees (else 404, as for any case).
    case_by_number_for_user(key.user, referral.case.number)
    case_fail(
        actor=key.user,
        case_id=referral.case_id,
        version=None,
        undisputed_facts=payload.undisputed_facts,
        note=payload.note,
    )
    referral = _one(key.user, referral_id, as_court=False)
    return _out(referral, periods_of([referral.case_id]).get(referral.case_id))
