"""One intake for every channel (登记纠纷, 快速上报, the API, later the portal): an
``IntakeReport`` goes through ``case_intake`` — permission, then either 重复反映 linked to the
open case the registrant chose, or the platform chosen (``intake_platform``), the duplicate
check, and 登记 (numbered by its platform's region)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import has_perm
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.crypto import lookup_hash
from fengqiao.core.validators import validate_datetime
from fengqiao.disputes.choices import (
    CaseStatus,
    IntakeChannel,
    PartyRole,
    RiskGrade,
    TimelineAction,
)
from fengqiao.disputes.duplicates import DuplicateList, duplicate_hits, visible_matches
from fengqiao.disputes.hooks import risk_grade
from fengqiao.disputes.models import Case, CaseCounter, Party, RepeatReport
from fengqiao.disputes.permissions import REGISTER_CASE
from fengqiao.disputes.policy import is_platform, source_org_for
from fengqiao.disputes.selectors import intake_platform_for
from fengqiao.disputes.services.errors import CaseRuleError, PartyInput
from fengqiao.disputes.services.parties import parties_tell
from fengqiao.disputes.services.transitions import case_url, lock_case, record_event, take_next
from fengqiao.notify.choices import NotificationKind, PartyStep
from fengqiao.notify.services import notify_orgs
from fengqiao.orgs.models import Organization
from fengqiao.regions.models import Region

# Within this time the same report from the same user on the same case is one report.
REPEAT_REPORT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class IntakeReport:
    """One report of a dispute, as every channel brings it: what happened, where (a village or
    grid the registrant may register at), by which channel, and who is involved."""

    channel: str
    category: str
    region: Region
    title: str
    parties: tuple[PartyInput, ...]
    facts: str = ""
    claims: str = ""
    address: str = ""
    occurred_at: datetime | None = None
    amount: Decimal | None = None
    # 涉及人数 when the channel asks for it (a registered case counts 2 without it).
    people_count: int | None = None


class NoPlatformError(CaseRuleError):
    """No platform (综治中心/平安办) holds the place: nobody to register the case for."""

    def __init__(self) -> None:
        super().__init__(_("未找到您所属的综治中心（平安办），无法登记。请联系系统管理员。"))


@dataclass(frozen=True)
class IntakeOutcome:
    """What became of a report: a registered ``case`` (with ``duplicates``, the flagged cases
    the registrant may see), a ``linked`` 重复反映 on an earlier case, or — nothing written —
    the ``duplicates`` found, for the registrant to link the report or confirm it is new."""

    case: Case | None = None
    linked: Any = None
    duplicates: DuplicateList | None = None


def _require_register(actor: Any) -> None:
    # Every channel, 在线申请 included: the portal's applicants will hold a role that grants it.
    if not has_perm(actor, REGISTER_CASE):
        raise PermissionDenied(_("您无权登记纠纷。"))
    # (The API and the pages check it before parsing too, to answer 403 rather than 400.)


def _require_applicant(parties: Sequence[PartyInput]) -> None:
    if not any(p.role == PartyRole.APPLICANT for p in parties):
        raise CaseRuleError(_("至少需要一名申请人（反映人）。"))


def _require_sane_report(report: IntakeReport) -> None:
    """What every channel's report must hold, whichever page, API or portal built it: an
    applicant, and a 发生时间 from 1949-10-01 to now (the database bounds only the century)."""
    _require_applicant(report.parties)
    try:
        validate_datetime(report.occurred_at, what=_("发生时间"))
    except ValidationError as exc:
        raise CaseRuleError(exc.messages[0]) from None


def intake_platform(
    actor: Any, region: Region, acting_for: Organization | None = None
) -> Organization | None:
    """The 责任平台 of a report at ``region``: ``acting_for`` (an API key's org) when it is a
    platform holding the place, else the platform the intake page chooses for ``actor``
    (``selectors.intake_platform_for``: their own platform over the place, else
    ``policy.platform_above`` the place)."""
    if (
        acting_for is not None
        and is_platform(acting_for)
        and region.path.startswith(acting_for.region.path)
    ):
        return acting_for
    return intake_platform_for(actor, region)


def case_intake(
    *,
    actor: Any,
    report: IntakeReport,
    link_to: int | None = None,
    confirm_new: bool = False,
    platform: Organization | None = None,
    acting_for: Organization | None = None,
) -> IntakeOutcome:
    """The one intake. With ``link_to`` (an open case the registrant chose) the report is
    recorded there as 重复反映 and nothing is registered. Otherwise the platform is
    ``platform`` or ``intake_platform`` (``NoPlatformError`` without one) and the duplicate
    check runs: cases the report may repeat are returned for the registrant to choose, unless
    ``confirm_new`` (确认为新纠纷; an API caller always) — then the case is registered and a
    疑似重复 event on it names them all (whatever the registrant's scope), so the platform sees
    them when it assesses the case."""
    _require_register(actor)
    if link_to:
        return IntakeOutcome(linked=case_repeat_report(actor=actor, case_id=link_to, report=report))
    if platform is None:
        platform = intake_platform(actor, report.region, acting_for)
    if platform is None:
        raise NoPlatformError()
    _require_sane_report(report)
    # No savepoint when called inside a caller's transaction (the API's): a failure here rolls
    # the caller back with it.
    with transaction.atomic(savepoint=False):
        # Before registering, so the new case does not match itself.
        hits = duplicate_hits(
            category=report.category,
            region=report.region,
            parties=report.parties,
            address=report.address,
        )
        if hits and not confirm_new:
            return IntakeOutcome(duplicates=visible_matches(actor, hits))
        case = case_register(actor=actor, platform=platform, report=report)
        if hits:
            _flag_duplicates(actor, case, hits)
    return IntakeOutcome(case=case, duplicates=visible_matches(actor, hits))


def _flag_duplicates(actor: Any, case: Case, hits: dict[int, list[str]]) -> None:
    record_event(
        case,
        actor=actor,
        action=TimelineAction.DUPLICATE_CHECK,
        from_status="",
        to_status="",
        note=_("登记时系统提示可能与%(n)d件案件重复，登记人确认为新纠纷。") % {"n": len(hits)},
        data={"possible_duplicates": {str(pk): reasons for pk, reasons in hits.items()}},
    )
    audit_record(
        actor=actor,
        event_type=EventType.CASE_UPDATED,
        obj=case,
        after={"possible_duplicates": sorted(hits)},
    )


def _next_case_number(region: Region, year: int) -> str:
    seq = take_next(CaseCounter, region=region, year=year)
    return f"{region.code}-{year}-{seq:06d}"


def case_register(
    *,
    actor: Any,
    platform: Organization,
    report: IntakeReport,
    source_org: Organization | None = None,
) -> Case:
    """登记 — a new case, numbered by its platform's region, queued for the platform (without
    the duplicate check: ``case_intake`` runs it first).

    A court's 委派/委托 or a police station's 警调 records the court or station that sent it
    (``source_org``, by default the registrant's own), which keeps seeing the case
    (``policy.source_org_for``).

    The risk grade is computed from the report by the rules the risk app holds
    (``hooks.risk_grade``), with the rules that fired as its reasons.
    """
    _require_register(actor)
    _require_sane_report(report)
    channel = report.channel
    if source_org is None:
        source_org = source_org_for(actor, channel)
    region = report.region
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        number = _next_case_number(platform.region, timezone.localtime(now).year)
        case = Case.objects.create(
            number=number,
            number_region=platform.region,
            region=region,
            region_path=region.path,
            title=report.title.strip(),
            category=report.category,
            channel=channel,
            facts=report.facts,
            claims=report.claims,
            address=report.address,
            occurred_at=report.occurred_at,
            amount=report.amount,
            people_count=2 if report.people_count is None else report.people_count,
            grade=RiskGrade.LOW,
            platform=platform,
            source_org=source_org,
            registered_at=now,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        parties = Party.objects.bulk_create(
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
                for p in report.parties
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
        # Graded once its parties are stored (their other cases and ages are facts).
        case.grade = risk_grade(case, actor=actor, registering=True)
        if case.grade != RiskGrade.LOW:
            Case.objects.filter(pk=case.pk).update(grade=case.grade)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_REGISTERED,
            obj=case,
            after={
                "number": number,
                "channel": channel,
                "category": report.category,
                "parties": len(report.parties),
            },
        )
        notify_orgs(
            orgs=[platform],
            kind=NotificationKind.NEW_CASE,
            title=_("新登记纠纷：%(n)s %(t)s") % {"n": number, "t": case.title},
            url=case_url(case),
            case=case,
        )
        # Every party with a mobile number is told the case number, who handles it and where
        # to follow it (seed 004 item 26).
        parties_tell(
            case, step=PartyStep.REGISTERED, values={"org": platform.name}, parties=parties
        )
    return case


def _repeat_fingerprint(**content: Any) -> str:
    """A keyed digest (the content holds ID numbers and phones: a plain hash of it could be
    matched against guesses)."""
    return lookup_hash(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str))


def case_repeat_report(*, actor: Any, case_id: int, report: IntakeReport) -> RepeatReport:
    """重复反映 — a report of a dispute that already has an open case, linked to it instead of
    registering a second case to dispatch. The report is kept whole on the earlier case
    (``RepeatReport``, parties encrypted), written to its timeline and the audit log, and the
    case's platform and handling org are told (a repeat report is a signal: the parties are
    still waiting). The case's state and version do not change. The same report sent twice by
    the same user within ``REPEAT_REPORT_WINDOW`` is kept once."""
    _require_register(actor)
    _require_sane_report(report)
    people = [
        {
            "role": p.role,
            "kind": p.kind,
            "name": p.name.strip(),
            "id_number": p.id_number.strip(),
            "phone": p.phone.strip(),
            "address": p.address.strip(),
        }
        for p in report.parties
    ]
    title = report.title
    content: dict[str, Any] = {
        "channel": report.channel,
        "category": report.category,
        "region": report.region.pk,
        "title": title.strip(),
        "facts": report.facts,
        "claims": report.claims,
        "address": report.address,
        "occurred_at": report.occurred_at,
        "amount": report.amount,
        "people_count": report.people_count,
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
        repeat = RepeatReport.objects.create(
            case=case,
            reported_at=now,
            reported_by=actor if is_user else None,
            region=report.region,
            parties_json=json.dumps(people, ensure_ascii=False),
            fingerprint=fingerprint,
            **{k: v for k, v in content.items() if k != "region"},
        )
        channel = report.channel
        record_event(
            case,
            actor=actor,
            action=TimelineAction.REPEAT_REPORT,
            from_status="",
            to_status="",
            note=_("经%(channel)s重复反映：%(title)s")
            % {"channel": IntakeChannel(channel).label, "title": title},
            data={"repeat_report": repeat.pk, "channel": channel},
        )
        # New text and facts: the case is graded again (a standing override may lapse).
        grade = risk_grade(case, actor=actor)
        if grade != case.grade:
            case.grade = grade
            Case.objects.filter(pk=case.pk).update(grade=grade)
        audit_record(
            actor=actor,
            event_type=EventType.CASE_UPDATED,
            obj=case,
            after={"repeat_report": repeat.pk, "channel": channel, "parties": len(people)},
        )
        notify_orgs(
            orgs=[case.platform, case.handling_org],
            kind=NotificationKind.INFO,
            title=_("重复反映：%(n)s %(t)s") % {"n": case.number, "t": case.title},
            url=case_url(case),
            case=case,
        )
    return repeat
