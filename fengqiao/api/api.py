"""API v1 (django-ninja): parse, authorize, call a service or selector, render. Every call acts
as the API key's user, so that user's roles and data scope apply exactly as on the pages.

The interactive docs page is off: ninja's page needs its static files (ninja in
INSTALLED_APPS) or else loads Swagger UI from a CDN, and deployments have no internet. The
OpenAPI document is served at ``/api/v1/openapi.json``; docs/api.md describes the API.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Header, NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import APIKeyHeader, HttpBearer

from fengqiao.api import selectors, services, throttle
from fengqiao.api.choices import ApiScope
from fengqiao.api.models import ApiKey
from fengqiao.api.referral_api import router as referral_router
from fengqiao.api.schemas import (
    CaseCreatedOut,
    CaseIn,
    CaseLinkedOut,
    CaseOut,
    CasePageOut,
    ErrorOut,
    PastDateTime,
    as_error,
)
from fengqiao.core.unavailable import database_unavailable
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseStatus, DueStatus
from fengqiao.disputes.disclosure import ShownParty, case_disclosure
from fengqiao.disputes.models import Case, DueItem, TimelineEvent
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.timeline import action_label
from fengqiao.disputes.workflow import TransitionNotAllowed

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,100}")

# --- Authentication -----------------------------------------------------------------------------


def _key_for(token: str) -> ApiKey:
    key = selectors.api_key_for_token(token)
    if key is None:
        raise AuthenticationError(message=_("API 密钥无效。"))
    if key.is_revoked:
        raise AuthenticationError(message=_("API 密钥已撤销。"))
    if not key.user.is_active:
        raise AuthenticationError(message=_("API 密钥的代理用户已停用。"))
    services.api_key_touch(key=key)
    return key


class BearerKey(HttpBearer):
    """``Authorization: Bearer fq_<prefix>_<secret>``."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        return _key_for(token)


class HeaderKey(APIKeyHeader):
    """``X-API-Key: fq_<prefix>_<secret>``."""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        if not key:
            return None
        return _key_for(key)


def _key(request: HttpRequest, scope: ApiScope) -> ApiKey:
    """The request's API key, if it carries ``scope`` (403 otherwise)."""
    key: ApiKey = request.auth  # type: ignore[attr-defined]
    throttle.api_key_hit(key)
    if not key.has_scope(scope):
        raise AuthorizationError(
            message=_("该 API 密钥没有 %(scope)s 权限。") % {"scope": scope.value}
        )
    return key


class FengqiaoAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The schema, with the link from a registration to reading the case back by its number
        (clients, and schemathesis's stateful tests, follow OpenAPI links)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        read_back = {
            "operationId": "fengqiao_api_api_case_detail",
            "parameters": {"number": "$response.body#/number"},
        }
        responses = schema["paths"]["/api/v1/cases"]["post"]["responses"]
        for status in (200, 201):
            responses[status]["links"] = {"GetCase": read_back}
        return schema


api = FengqiaoAPI(
    title="枫桥 API",
    version="1",
    description=(
        "枫桥矛盾纠纷多元化解平台接口。每个 API 密钥代表一名用户调用，沿用该用户的角色与数据范围。"
    ),
    urls_namespace="api",
    docs_url=None,
    auth=[BearerKey(), HeaderKey()],
)
# 诉调对接: /api/v1/referrals (referral_api.py).
api.add_router("/referrals", referral_router)

ERRORS: dict[int | frozenset[int], Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}

# --- Errors: one JSON shape, Chinese messages ---------------------------------------------------

_DATETIME = gettext_lazy("时间格式无效，应为 ISO 8601（如 2026-03-01T09:30:00+08:00）。")
_MESSAGES = {
    "missing": gettext_lazy("必填项。"),
    "string_type": gettext_lazy("应为字符串。"),
    "string_too_short": gettext_lazy("不能为空。"),
    "string_too_long": gettext_lazy("不能超过%(max_length)s个字符。"),
    # A lone surrogate (JSON "\ud800"): no UTF-8 for it; refused by pydantic before our check.
    "string_unicode": gettext_lazy("内容含有无效的字符，请删除后重新填写。"),
    "int_type": gettext_lazy("应为整数。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "int_from_float": gettext_lazy("应为整数。"),
    "decimal_type": gettext_lazy("应为数字。"),
    "decimal_parsing": gettext_lazy("应为数字。"),
    "decimal_max_digits": gettext_lazy("数字位数过多（最多%(max_digits)s位）。"),
    "decimal_max_places": gettext_lazy("最多保留%(decimal_places)s位小数。"),
    "decimal_whole_digits": gettext_lazy("整数部分位数过多。"),
    "greater_than_equal": gettext_lazy("不能小于%(ge)s。"),
    "less_than_equal": gettext_lazy("不能大于%(le)s。"),
    "enum": gettext_lazy("取值无效，可选值：%(expected)s。"),
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "list_type": gettext_lazy("应为数组。"),
    "too_short": gettext_lazy("至少需要%(min_length)s项。"),
    "too_long": gettext_lazy("最多%(max_length)s项。"),
    "model_attributes_type": gettext_lazy("应为 JSON 对象。"),
    "dict_type": gettext_lazy("应为 JSON 对象。"),
    "model_type": gettext_lazy("应为 JSON 对象。"),
    "bool_type": gettext_lazy("应为 true 或 false。"),
    "bool_parsing": gettext_lazy("应为 true 或 false。"),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _field(loc: list[Any]) -> str:
    """``["body", "payload", "parties", 0, "phone"]`` → ``parties[0].phone``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "header", "path"):
        parts = parts[1:]
        if parts and parts[0] in ("payload", "filters"):
            parts = parts[1:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    template = _MESSAGES.get(kind)
    if template is not None:
        ctx = dict(error.get("ctx") or {})
        if "expected" in ctx:
            # pydantic lists enum values as "'a', 'b' or 'c'".
            ctx["expected"] = "、".join(re.findall(r"'([^']*)'", str(ctx["expected"])))
        try:
            return str(template) % ctx
        except (KeyError, TypeError, ValueError):
            return str(template)
    msg = str(error.get("msg", ""))
    # Our own checks raise Chinese messages; anything else from pydantic gets a generic one.
    return msg if _CJK.search(msg) else _("取值无效。")


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field(e.get("loc", [])), "msg": _message(e), "type": str(e.get("type", ""))}
        for e in exc.errors
    ]
    detail = "；".join(f"{e['field']}：{e['msg']}" if e["field"] else e["msg"] for e in errors)
    return api.create_response(
        request, as_error("invalid", _("请求数据有误：") + detail, errors), status=422
    )


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        message = exc.message if exc.message != "Unauthorized" else ""
        response = api.create_response(
            request,
            as_error(
                "unauthorized",
                message
                or _("缺少 API 密钥：请在 Authorization: Bearer 或 X-API-Key 请求头中提供。"),
            ),
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="fengqiao"'
        return response
    if isinstance(exc, AuthorizationError):
        return api.create_response(request, as_error("forbidden", exc.message), status=403)
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        return api.create_response(
            request, as_error("bad_request", _("请求体不是合法的 JSON。")), status=400
        )
    return api.create_response(request, as_error("error", exc.message), status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, as_error("forbidden", str(exc) or _("您无权执行此操作。")), status=403
    )


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request, as_error("not_found", _("未找到该案件，或您无权查看。")), status=404
    )


@api.exception_handler(services.ApiInputError)
def _on_input_error(request: HttpRequest, exc: services.ApiInputError) -> HttpResponse:
    error = {"field": exc.field, "msg": str(exc), "type": "not_allowed"}
    return api.create_response(
        request, as_error("invalid", _("请求数据有误：") + str(exc), [error]), status=422
    )


@api.exception_handler(CaseRuleError)
def _on_rule_error(request: HttpRequest, exc: CaseRuleError) -> HttpResponse:
    return api.create_response(request, as_error("rejected", str(exc)), status=422)


@api.exception_handler(TransitionNotAllowed)
def _on_transition_refused(request: HttpRequest, exc: TransitionNotAllowed) -> HttpResponse:
    """An action the case's state does not allow (调解不成 of a case not being mediated)."""
    return api.create_response(request, as_error("rejected", str(exc)), status=422)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _on_database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return database_unavailable(request, exc)


@api.exception_handler(throttle.RateLimited)
def _on_rate_limited(request: HttpRequest, exc: throttle.RateLimited) -> HttpResponse:
    response = api.create_response(
        request,
        as_error(
            "rate_limited",
            _("请求过于频繁：该 API 密钥每分钟最多 %(n)d 次请求，请 %(s)d 秒后重试。")
            % {"n": exc.limit, "s": exc.retry_after},
        ),
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Anything else is a fault of the platform: logged with its traceback for the operator,
    answered in the one error shape without details for the client."""
    logger.exception("API request failed: %s %s", request.method, request.path)
    return api.create_response(
        request,
        as_error("server_error", _("服务器内部错误，请稍后重试；如仍失败请联系系统管理员。")),
        status=500,
    )


@api.exception_handler(services.IdempotencyConflict)
def _on_conflict(request: HttpRequest, exc: services.IdempotencyConflict) -> HttpResponse:
    return api.create_response(request, as_error("idempotency_conflict", str(exc)), status=409)


# --- Rendering ----------------------------------------------------------------------------------


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _summary(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "title": case.title,
        "category": case.category,
        "category_label": str(case.get_category_display()),
        "channel": case.channel,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "grade": case.grade,
        "region_code": case.region.code,
        "region_name": case.region.name,
        "registered_at": _local(case.registered_at),
        "closed_at": _local(case.closed_at),
    }


def _party(party: ShownParty) -> dict[str, Any]:
    """A party as the acting user is shown it on the case page (``disputes.disclosure``)."""
    return {
        "role": party.role,
        "role_label": party.role_label,
        "kind": party.kind,
        "name": party.name,
        "id_number": party.id_number,
        "phone": party.phone,
    }


def _event(event: TimelineEvent) -> dict[str, Any]:
    return {
        "at": _local(event.at),
        "action": event.action,
        "action_label": action_label(event.action),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "org": event.org.name if event.org is not None else None,
    }


def _deadline(item: DueItem, known_years: set[int]) -> dict[str, Any]:
    running = item.status == DueStatus.OPEN
    return {
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "org": item.org.name,
        "due_at": _local(item.due_at),
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "paused": item.paused_at is not None,
        "provisional": running and deadlines.is_provisional(item.due_at, known_years),
    }


def _detail(user: Any, case: Case) -> dict[str, Any]:
    shown = case_disclosure(user, case)
    items = selectors.case_deadlines(case)
    known_years = deadlines.known_years() if items else set()
    return {
        **_summary(case),
        "channel_label": str(case.get_channel_display()),
        "grade_label": str(case.get_grade_display()),
        "occurred_at": _local(case.occurred_at),
        "platform": case.platform.name,
        "handling_org": case.handling_org.name if case.handling_org is not None else None,
        "parties": [_party(p) for p in shown.parties(case.parties.all())],
        "deadlines": [_deadline(item, known_years) for item in items],
        "timeline": [_event(e) for e in selectors.case_timeline(case)],
    }


# --- Endpoints ----------------------------------------------------------------------------------


@api.post(
    "/cases",
    response={201: CaseCreatedOut, 200: CaseLinkedOut, 409: ErrorOut, **ERRORS},
    summary="登记纠纷",
    tags=["cases"],
    url_name="case_create",
)
def case_create(
    request: HttpRequest,
    response: HttpResponse,
    payload: CaseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    key = _key(request, ApiScope.CASES_WRITE)
    idem = (idempotency_key or "").strip()
    if idem and not IDEMPOTENCY_KEY.fullmatch(idem):
        raise services.ApiInputError(
            _("Idempotency-Key 应为1至100个可见 ASCII 字符。"), field="Idempotency-Key"
        )
    result = services.api_case_create(key=key, payload=payload, idempotency_key=idem)
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    # A report linked to an earlier case registers nothing: 200, not 201 Created.
    return Status(200 if result.linked else 201, result.body)


@api.get(
    "/cases/{number}",
    response={200: CaseOut, 404: ErrorOut, **ERRORS},
    summary="查询案件（状态与办理记录）",
    tags=["cases"],
    url_name="case_detail",
)
def case_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    key = _key(request, ApiScope.CASES_READ)
    return _detail(key.user, selectors.case_by_number_for_user(key.user, number))


@api.get(
    "/cases",
    response={200: CasePageOut, **ERRORS},
    summary="案件列表（按 id 翻页）",
    tags=["cases"],
    url_name="case_list",
)
def case_list(
    request: HttpRequest,
    status: CaseStatus | None = None,
    updated_since: PastDateTime | None = None,
    cursor: str = "",
    limit: int = Query(50, ge=1, le=selectors.MAX_PAGE),
) -> dict[str, Any]:
    key = _key(request, ApiScope.CASES_READ)
    after = 0
    if cursor:
        # ASCII digits only: str.isdigit() also passes "¹" or "١", which int() refuses.
        if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
            raise services.ApiInputError(
                _("cursor 无效，请使用上一页返回的 next_cursor。"), field="cursor"
            )
        after = int(cursor)
    page = selectors.case_page_for_user(
        key.user,
        status=str(status or ""),
        updated_since=updated_since,
        after_id=after,
        limit=limit,
    )
    return {
        "items": [_summary(c) for c in page.items],
        "next_cursor": str(page.next_after) if page.next_after is not None else None,
    }


# 司法确认 (api/confirmation.py).
from fengqiao.api.confirmation import router as confirmation_router  # noqa: E402

api.add_router("", confirmation_router)
