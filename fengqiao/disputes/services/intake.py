"""登记 — registering a case (numbered by its platform's region), intake after the duplicate
check, and 重复反映 linked to an open case instead of registered twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import has_perm
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes.choices import (
    CaseStatus,
    IntakeChannel,
    PartyRole,
    RiskGrade,
    TimelineAction,
)
from fengqiao.disputes.duplicates import duplicate_hits, visible_matches
from fengqiao.disputes.models import Case, CaseCounter, Party
from fengqiao.disputes.permissions import REGISTER_CASE
from fengqiao.disputes.policy import source_org_for
from fengqiao.disputes.services.errors import CaseRuleError, PartyInput
from fengqiao.disputes.services.transitions import case_url, lock_case, record_event, take_next
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify, org_users
from fengqiao.orgs.models import Organization
from fengqiao.regions.models import Region


def _next_case_number(region: Region, year: int) -> str:
    seq = take_next(CaseCounter, region=region, year=year)
    return f"{region.code}-{year}-{seq:06d}"


def case_register(
    *,
    actor: Any,
    platform: Organization,
    region: Region,
    title: str,
    category: str,
    channel: str,
    parties: Sequence[PartyInput],
    facts: str = "",
    claims: str = "",
    address: str = "",
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
    people_count: int = 2,
    grade: str = RiskGrade.LOW,
    source_org: Organization | None = None,
) -> Case:
    """登记 — a new case, numbered by its platform's region, queued for the platform.

    Staff register with the register permission; an online application (网上申请) comes from
    the applicant themself and needs none. A court's 委派/委托 or a police station's 警调 records
    the court or station that sent it (``source_org``, by default the registrant's own), which
    keeps seeing the case (``policy.source_org_for``).
    """
    if channel != IntakeChannel.PORTAL and not has_perm(actor, REGISTER_CASE):
        raise PermissionDenied(_("您无权登记纠纷。"))
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise CaseRuleError(_("至少需要一名申请人（反映人）。"))
    # No savepoint when called inside a caller's transaction (the API's): a failure here
    # rolls the caller back with it.
    if source_org is None:
        source_org = source_org_for(actor, channel)
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        number = _next_case_number(platform.region, timezone.localtime(now).year)
        case = Case.objects.create(
            number=number,
            number_region=platform.region,
            region=region,
            region_path=region.path,
            title=title.strip(),
            category=category,
            channel=channel,
            facts=facts,
            claims=claims,
            address=address,
            occurred_at=occurred_at,
            amount=amount,
            people_count=people_count,
            grade=grade,
            platform=platform,
            source_org=source_org,
            registered_at=now,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        Party.objects.bulk_create(
            [
                Party(
                    case=case,
                    role=p.role,
                    kind=p.kind,
                    name=p.name.strip(),
                    id_number=p.id_number.strip(),
                    phone=p.phone.strip(),
                    address=p.address,
                )
                for p in parties
            ]
        )
        # bulk_create runs the fields' pre_save, which sets the lookup hashes (core.fields).
        record_event(
            case,
            actor=actor,
            action=TimelineAction.REGISTER,
            from_status="",
            to_status=CaseStatus.REGISTERED,
            data={"channel": channel, "from_version": 0},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_REGISTERED,
            obj=case,
            after={
                "number": number,
                "channel": channel,
                "category": category,
                "parties": len(parties),
            },
        )
        notify(
            recipients=org_users(platform),
            kind=NotificationKind.NEW_CASE,
            title=_("新登记纠纷：%(n)s %(t)s") % {"n": number, "t": case.title},
            url=case_url(case),
            case=case,
        )
    return case


@dataclass(frozen=True)
class IntakeResult:
    """A registered case and the duplicate check made before it (what the registrant may see
    of it: ``duplicates``, with ``duplicates.has_hidden``)."""

    case: Case
    duplicates: Any


def case_intake(
    *,
    actor: Any,
    platform: Organization,
    region: Region,
    title: str,
    category: str,
    channel: str,
    parties: Sequence[PartyInput],
    facts: str = "",
    claims: str = "",
    address: str = "",
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
    people_count: int = 2,
) -> IntakeResult:
    """登记 after the duplicate check: ``case_register``, and when the check finds cases the new
    one may repeat — the registrant saw them and confirmed it is new (确认为新纠纷), or an API
    caller registered anyway — a 疑似重复 event on the new case names them all (whatever the
    registrant's scope), so the platform sees them when it assesses the case."""
    with transaction.atomic(savepoint=False):
        # Before registering, so the new case does not match itself.
        hits = duplicate_hits(category=category, region=region, parties=parties, address=address)
        case = case_register(
            actor=actor,
            platform=platform,
            region=region,
            title=title,
            category=category,
            channel=channel,
            parties=parties,
            facts=facts,
            claims=claims,
            address=address,
            occurred_at=occurred_at,
            amount=amount,
            people_count=people_count,
        )
        if hits:
            flagged = {str(pk): reasons for pk, reasons in hits.items()}
            record_event(
                case,
                actor=actor,
                action=TimelineAction.DUPLICATE_CHECK,
                from_status="",
                to_status="",
                note=_("登记时系统提示可能与%(n)d件案件重复，登记人确认为新纠纷。")
                % {"n": len(hits)},
                data={"possible_duplicates": flagged},
            )
            audit_record(
                actor=actor,
                event_type=EventType.CASE_UPDATED,
                obj=case,
                after={"possible_duplicates": sorted(hits)},
            )
        return IntakeResult(case=case, duplicates=visible_matches(actor, hits))


# Within this time the same report from the same user on the same case is one report.
REPEAT_REPORT_WINDOW = timedelta(minutes=10)


def _repeat_fingerprint(**content: Any) -> str:
    """A keyed digest (the content holds ID numbers and phones: a plain hash of it could be
    matched against guesses)."""
    import json

    from fengqiao.core.crypto import lookup_hash

    return lookup_hash(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str))


def case_repeat_report(
    *,
    actor: Any,
    case_id: int,
    channel: str,
    category: str,
    region: Region,
    title: str,
    parties: Sequence[PartyInput],
    facts: str = "",
    claims: str = "",
    address: str = "",
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
    people_count: int | None = None,
) -> Any:
    """重复反映 — a report of a dispute that already has an open case, linked to it instead of
    registering a second case to dispatch. The report is kept whole on the earlier case
    (``RepeatReport``, parties encrypted), written to its timeline and the audit log, and the
    case's platform and handling org are told (a repeat report is a signal: the parties are
    still waiting). The case's state and version do not change. The same report sent twice by
    the same user within ``REPEAT_REPORT_WINDOW`` is kept once."""
    import json

    from fengqiao.disputes.models import RepeatReport

    if channel != IntakeChannel.PORTAL and not has_perm(actor, REGISTER_CASE):
        raise PermissionDenied(_("您无权登记纠纷。"))
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise CaseRuleError(_("至少需要一名申请人（反映人）。"))
    people = [
        {
            "role": p.role,
            "kind": p.kind,
            "name": p.name.strip(),
            "id_number": p.id_number.strip(),
            "phone": p.phone.strip(),
            "address": p.address.strip(),
        }
        for p in parties
    ]
    content: dict[str, Any] = {
        "channel": channel,
        "category": category,
        "region": region.pk,
        "title": title.strip(),
        "facts": facts,
        "claims": claims,
        "address": address,
        "occurred_at": occurred_at,
        "amount": amount,
        "people_count": people_count,
    }
    fingerprint = _repeat_fingerprint(parties=people, **content)
    is_user = getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if not case.is_open:
            raise CaseRuleError(
                _("案件%(n)s已办结（%(s)s），不能并入；如纠纷再起，请确认为新纠纷登记。")
                % {"n": case.number, "s": case.get_status_display()}
            )
        now = timezone.now()
        earlier = RepeatReport.objects.filter(
            case=case,
            reported_by=actor if is_user else None,
            fingerprint=fingerprint,
            reported_at__gte=now - REPEAT_REPORT_WINDOW,
        ).first()
        if earlier is not None:
            return earlier
        report = RepeatReport.objects.create(
            case=case,
            reported_at=now,
            reported_by=actor if is_user else None,
            channel=channel,
            category=category,
            region=region,
            title=title.strip(),
            facts=facts,
            claims=claims,
            address=address,
            occurred_at=occurred_at,
            amount=amount,
            people_count=people_count,
            parties_json=json.dumps(people, ensure_ascii=False),
            fingerprint=fingerprint,
        )
        channel_label = IntakeChannel(channel).label
        record_event(
            case,
            actor=actor,
            action=TimelineAction.REPEAT_REPORT,
            from_status="",
            to_status="",
            note=_("经%(channel)s重复反映：%(title)s") % {"channel": channel_label, "title": title},
            data={"repeat_report": report.pk, "channel": channel},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            obj=case,
            after={"repeat_report": report.pk, "channel": channel, "parties": len(people)},
        )
        holders = [case.platform, case.handling_org]
        notify(
            recipients=[u for org in holders if org is not None for u in org_users(org)],
            kind=NotificationKind.INFO,
            title=_("重复反映：%(n)s %(t)s") % {"n": case.number, "t": case.title},
            url=case_url(case),
            case=case,
        )
    return report
