"""Writes behind the API: creating and revoking keys (audited), recording a key's use, and
registering a case from an API request — through the one intake service
(``fengqiao.disputes.services.intake.case_intake``), with the duplicate check and an idempotency
record in the same transaction."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import has_perm, restrict
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.api.choices import ApiScope
from fengqiao.api.models import ApiKey, IdempotencyRecord
from fengqiao.api.permissions import ADD_APIKEY, CHANGE_APIKEY
from fengqiao.api.schemas import CaseIn
from fengqiao.api.selectors import PREFIX_LENGTH, TOKEN_PREFIX, token_digest
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.compiled import CompiledQuery
from fengqiao.core.crypto import sm3_hex
from fengqiao.disputes import selectors as case_selectors
from fengqiao.disputes.duplicates import DuplicateList
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.policy import is_platform
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.intake import IntakeReport, NoPlatformError, case_intake
from fengqiao.orgs.models import Organization
from fengqiao.regions.models import Region

SECRET_BYTES = 24
# last_used_at is a hint for operators, not a log: one write a minute per key is enough.
TOUCH_EVERY = timedelta(minutes=1)


class ApiKeyError(Exception):
    """A key cannot be created as asked; the message says why (in Chinese)."""


class ApiInputError(Exception):
    """A request that is well-formed but refers to something the acting user may not use (a
    region outside their scope, a platform that is not one); answered with 422 on ``field``."""

    def __init__(self, message: str, *, field: str) -> None:
        self.field = field
        super().__init__(message)


class IdempotencyConflict(Exception):
    """The Idempotency-Key was already used by this API key for a different request."""


# --- Keys ---------------------------------------------------------------------------------------


def _require(actor: Any, perm: str) -> None:
    # ``None`` is the operator at the console (manage.py create_api_key), trusted by the shell.
    if actor is not None and not has_perm(actor, perm):
        raise PermissionDenied(_("您无权管理 API 密钥。"))


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_hex(SECRET_BYTES)}"


def api_key_create(
    *,
    actor: Any,
    name: str,
    org: Organization,
    user: User,
    scopes: Iterable[str],
    rate_per_minute: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its token; the token is returned only here and never stored."""
    _require(actor, ADD_APIKEY)
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in ApiScope.values]
    if not chosen or unknown:
        raise ApiKeyError(
            _("权限范围无效：%(bad)s（可选：%(all)s）")
            % {"bad": ", ".join(unknown) or "—", "all": ", ".join(ApiScope.values)}
        )
    if not name.strip():
        raise ApiKeyError(_("请填写密钥名称。"))
    if rate_per_minute is not None and not 1 <= rate_per_minute <= 100_000:
        raise ApiKeyError(_("每分钟请求上限应在 1 到 100000 之间。"))
    if not user.is_active:
        raise ApiKeyError(_("代理用户已停用。"))
    # The key speaks for its org: the user it acts as must hold a role there.
    if not RoleGrant.objects.filter(user=user, org=org).exists():
        raise ApiKeyError(
            _("用户%(user)s在%(org)s没有角色，不能代表该单位调用接口。")
            % {"user": user.username, "org": org.name}
        )
    with transaction.atomic():
        prefix, token = _new_token()
        while ApiKey.objects.filter(prefix=prefix).exists():
            prefix, token = _new_token()
        key = ApiKey.objects.create(
            name=name.strip(),
            org=org,
            user=user,
            scopes=chosen,
            prefix=prefix,
            secret_hash=token_digest(token),
            created_by=actor,
            **({"rate_per_minute": rate_per_minute} if rate_per_minute is not None else {}),
        )
        audit_record(
            actor=actor,
            event_type=EventType.API_KEY_CREATED,
            obj=key,
            after={
                "name": key.name,
                "org": org.pk,
                "user": user.pk,
                "rate_per_minute": key.rate_per_minute,
                "scopes": chosen,
                "prefix": prefix,
            },
        )
    return key, token


def api_key_revoke(*, actor: Any, key_id: int) -> ApiKey:
    """Revoke a key at once; revoking a revoked key changes nothing."""
    _require(actor, CHANGE_APIKEY)
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key_id)
        if key.revoked_at is not None:
            return key
        key.revoked_at = timezone.now()
        key.revoked_by = actor
        key.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            event_type=EventType.API_KEY_REVOKED,
            obj=key,
            before={"revoked_at": None},
            after={"revoked_at": key.revoked_at},
        )
    return key


def api_key_touch(*, key: ApiKey, now: datetime | None = None) -> None:
    """Record that the key was used (at most once a minute; not audited)."""
    now = now or timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_EVERY:
        return
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    ).update(last_used_at=now)
    key.last_used_at = now


# --- Case registration --------------------------------------------------------------------------


def request_fingerprint(payload: CaseIn) -> str:
    """The digest an Idempotency-Key is bound to: the body as the schema read it (the same
    digest for the same body as the records stored before)."""
    fields: dict[str, Any] = {
        "channel": str(payload.channel),
        "category": str(payload.category),
        "title": payload.title,
        "region_code": payload.region_code,
        "parties": [asdict(p) for p in _parties(payload)],
        "facts": payload.facts,
        "claims": payload.claims,
        "address": payload.address.strip(),
        "occurred_at": payload.occurred_at,
        "amount": payload.amount,
        "people_count": payload.people_count,
        "platform_org_id": payload.platform_org_id,
    }
    if payload.link_to:
        # Requests without it digest as before it existed.
        fields["link_to"] = payload.link_to
    canonical = json.dumps(
        fields, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )
    return sm3_hex(canonical.encode())


def _parties(payload: CaseIn) -> tuple[PartyInput, ...]:
    return tuple(
        PartyInput(
            role=str(p.role),
            kind=str(p.kind),
            name=p.name,
            id_number=p.id_number,
            phone=p.phone,
            address=p.address,
        )
        for p in payload.parties
    )


def _report_of(payload: CaseIn, region: Region) -> IntakeReport:
    return IntakeReport(
        channel=str(payload.channel),
        category=str(payload.category),
        region=region,
        title=payload.title,
        parties=_parties(payload),
        facts=payload.facts,
        claims=payload.claims,
        address=payload.address.strip(),
        occurred_at=payload.occurred_at,
        amount=payload.amount,
        people_count=payload.people_count,
    )


@dataclass(frozen=True)
class CaseCreated:
    """The answer to ``POST /cases``: a registered case (201), or with ``linked`` a repeat
    report recorded on the earlier case ``case_id`` (200)."""

    case_id: int
    body: dict[str, Any]
    replayed: bool = False
    linked: bool = False


# Every registration reads its place: compiled once (fengqiao.core.compiled).
_REGION_BY_CODE: CompiledQuery[Region] = CompiledQuery(
    lambda code: Region.objects.filter(code=code).order_by("pk")[:1], str
)


def _region_for(user: Any, code: str) -> Region:
    """The place, if it is a village or grid where ``user`` may register (as on the intake
    page)."""
    region = _REGION_BY_CODE.first(code)
    if region is None:
        raise ApiInputError(_("区划代码%(code)s不存在。") % {"code": code}, field="region_code")
    if not case_selectors.intake_region_allowed(user, region):
        raise ApiInputError(
            _("发生地%(code)s不在您可登记的村（社区）或网格范围内。") % {"code": code},
            field="region_code",
        )
    return region


def _named_platform(platform_org_id: int, region: Region) -> Organization:
    """The 责任平台 the caller named: an active platform holding the place."""
    named = Organization.objects.select_related("kind", "region").filter(pk=platform_org_id).first()
    if named is None or not is_platform(named):
        raise ApiInputError(
            _("platform_org_id 不是在用的综治中心（平安办）。"), field="platform_org_id"
        )
    if not region.path.startswith(named.region.path):
        raise ApiInputError(
            _("%(org)s不管辖发生地，请选择发生地所属的综治中心（平安办）。") % {"org": named.name},
            field="platform_org_id",
        )
    return named


def _iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def created_body(case: Case, duplicates: DuplicateList) -> dict[str, Any]:
    """The body of the 201 answer, kept as the idempotent answer too (plain JSON)."""
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "registered_at": _iso(case.registered_at),
        "duplicates": [
            {
                "number": m.case.number,
                "title": m.case.title,
                "status": m.case.status,
                "status_label": str(m.case.get_status_display()),
                "registered_at": _iso(m.case.registered_at),
                "reasons": list(m.reasons),
                "reason_texts": m.reason_texts,
            }
            for m in duplicates
        ],
        "has_hidden_duplicates": duplicates.has_hidden,
    }


def _replay(key: ApiKey, idempotency_key: str, fingerprint: str) -> CaseCreated | None:
    record = IdempotencyRecord.objects.filter(api_key=key, key=idempotency_key).first()
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyConflict(
            _("幂等键%(key)s已用于另一个内容不同的请求。") % {"key": idempotency_key}
        )
    return CaseCreated(
        case_id=record.case_id,
        body=record.response,
        replayed=True,
        linked="linked_to" in record.response,
    )


def linked_body(report: Any) -> dict[str, Any]:
    """The body of the 200 answer to a linked report (kept as the idempotent answer too)."""
    case = report.case
    return {
        "linked_to": case.number,
        "title": case.title,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "reported_at": _iso(report.reported_at),
    }


def _link_target(user: Any, number: str) -> Case:
    case = restrict(Case.objects.all(), user, VIEW_CASE).filter(number=number).first()
    if case is None:
        # The same words whether it does not exist or is outside the user's scope.
        raise ApiInputError(_("案件%(n)s不存在或您无权查看。") % {"n": number}, field="link_to")
    return case


def _record_answer(
    key: ApiKey, idempotency_key: str, fingerprint: str, case: Case, body: dict[str, Any]
) -> None:
    if idempotency_key:
        # The unique (api_key, key) constraint makes a concurrent twin fail here and roll
        # back its writes with it.
        IdempotencyRecord.objects.create(
            api_key=key, key=idempotency_key, fingerprint=fingerprint, case=case, response=body
        )


def api_case_create(*, key: ApiKey, payload: CaseIn, idempotency_key: str = "") -> CaseCreated:
    """登记 from an API call, acting as the key's user, through the one intake
    (``case_intake``): registered even when duplicates are found (as 确认为新纠纷 on the page),
    the answer listing the visible ones; with ``link_to`` recorded on that case instead. The
    责任平台 is the one named, else the key's org when it is a platform over the place, else
    the one the intake page would choose. A retry with the same ``idempotency_key`` returns
    the first answer instead of registering again."""
    actor = key.user
    # Before the place is checked: a user who may not register at all hears that, not 422.
    if not has_perm(actor, REGISTER_CASE):
        raise PermissionDenied(_("您无权登记纠纷。"))
    fingerprint = request_fingerprint(payload)
    if idempotency_key:
        earlier = _replay(key, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    report = _report_of(payload, _region_for(actor, payload.region_code))
    # 并入: the same choice as on the intake page, made by the caller up front.
    target = _link_target(actor, payload.link_to) if payload.link_to else None
    platform = None
    if target is None and payload.platform_org_id is not None:
        platform = _named_platform(payload.platform_org_id, report.region)
    try:
        with transaction.atomic():
            outcome = case_intake(
                actor=actor,
                report=report,
                link_to=target.pk if target is not None else None,
                confirm_new=True,
                platform=platform,
                acting_for=key.org,
            )
            if outcome.linked is not None:
                case, body = outcome.linked.case, linked_body(outcome.linked)
            else:  # confirm_new: registered
                case = cast(Case, outcome.case)
                found = outcome.duplicates
                body = created_body(case, found if found is not None else DuplicateList())
            _record_answer(key, idempotency_key, fingerprint, case, body)
    except NoPlatformError:
        raise ApiInputError(
            _("未找到发生地所属的综治中心（平安办），请填写 platform_org_id。"),
            field="platform_org_id",
        ) from None
    except IntegrityError:
        earlier = _replay(key, idempotency_key, fingerprint) if idempotency_key else None
        if earlier is None:
            raise
        return earlier
    return CaseCreated(case_id=case.pk, body=body, linked=outcome.linked is not None)
