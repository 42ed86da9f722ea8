"""Writes of the mediation record: consent, rights notice, sessions, evidence, expert opinions.

Each runs in one transaction, locks the case row first (the same order as ``disputes.services``,
so the two never wait on each other crosswise), checks that the actor stands on the handling
side, and writes a timeline event on the case and an audit event in that transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core import uploads
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.disclosure import MASKED
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.policy import MEDIATE, case_may
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.handling import mediation_start
from fengqiao.disputes.services.transitions import (
    bump_version,
    check_version,
    lock_case,
    record_event,
)
from fengqiao.mediation.choices import ConsentDecision, ContactMethod, MediationAction
from fengqiao.mediation.consent import mediation_blocker
from fengqiao.mediation.models import (
    Evidence,
    ExpertOpinion,
    MediationSession,
    PartyConsent,
    RightsNotice,
)
from fengqiao.orgs.models import Person

# The states in which the handling org is mediating (before or during sessions).
MEDIATION_STATES = (CaseStatus.ACCEPTED, CaseStatus.MEDIATING, CaseStatus.SUSPENDED)
EVIDENCE_MAX_BYTES_DEFAULT = 10 * 1024 * 1024
# A record is written after the fact: its time may not be later than now (a few minutes' grace
# for a clock that runs ahead), nor long before the case was registered — a session held on
# the spot may be registered afterwards, but not a season later (that is a mistyped year).
FUTURE_GRACE = timedelta(minutes=5)
BEFORE_REGISTRATION = timedelta(days=90)


def evidence_max_bytes() -> int:
    return int(getattr(settings, "FENGQIAO_EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES_DEFAULT))


def may_mediate(actor: Any, case: Case) -> bool:
    """The actor stands on the handling side of a case that is accepted, being mediated or
    suspended: who records consent, the rights notice, sessions and evidence. (Not
    ``case_may(START)``: that also needs the consent this side is here to record.)"""
    return case_may(actor, case, MEDIATE)


def _lock_for_mediation(
    actor: Any,
    case_id: int,
    version: int | None,
    action: str,
    *,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> Case:
    """The case locked for a write to its mediation record. A form rendered at an older
    ``version`` is refused (``StaleCase``), or answered ``AlreadyDone`` when it is the same
    record again (``note`` and ``data``: what the record's timeline entry would say)."""
    case = lock_case(actor, case_id)
    check_version(case, actor, action, version, note=note, data=data)
    if case.status not in MEDIATION_STATES:
        raise CaseRuleError(_("只有已受理、调解中或中止的案件可以办理调解事项。"))
    if not may_mediate(actor, case):
        raise PermissionDenied(_("只有承办单位的调解员可以办理调解事项。"))
    return case


def _check_past(case: Case, when: datetime, what: str) -> None:
    """``when`` of a record on ``case`` is a time that can have happened."""
    now = timezone.now()
    if when > now + FUTURE_GRACE:
        raise CaseRuleError(
            _("%(what)s不能晚于当前时间（%(now)s），请填写实际发生的时间。")
            % {"what": what, "now": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
        )
    earliest = case.registered_at - BEFORE_REGISTRATION
    if case.occurred_at is not None:
        earliest = max(earliest, case.occurred_at)
    if when < earliest:
        raise CaseRuleError(
            _("%(what)s不能早于%(earliest)s（纠纷发生时间或登记前90天），请核对日期。")
            % {"what": what, "earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")}
        )


def record_write(
    case: Case,
    *,
    actor: Any,
    action: str,
    event_type: EventType,
    obj: Any,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    # The record moves the case's version, so a form rendered before it is stale.
    record_event(
        case,
        actor=actor,
        action=action,
        from_status=case.status,
        to_status=case.status,
        note=note,
        data={"from_version": bump_version(case), **(data or {})},
    )
    audit_record(actor=actor, event_type=event_type, obj=obj, after=data)


def consent_record(
    *,
    actor: Any,
    case_id: int,
    party_id: int,
    decision: str,
    method: str,
    note: str = "",
    online: bool = False,
    version: int | None = None,
) -> PartyConsent:
    """记录调解意愿 — a later statement of the same party replaces the earlier one. ``online``:
    the party also consents to online (video) mediation (《人民法院在线调解规则》art. 4)."""
    # The 备注 too: the same statement with another remark is a different record.
    online = bool(online) and decision == ConsentDecision.CONSENTED
    data = {"party": party_id, "decision": decision, "method": method, "remark": note}
    if online:
        data["online"] = True
    with transaction.atomic():
        case = _lock_for_mediation(actor, case_id, version, MediationAction.CONSENT, data=data)
        party = Party.objects.filter(case=case, pk=party_id).first()
        if party is None:
            raise CaseRuleError(_("该当事人不属于本案。"))
        consent, _created = PartyConsent.objects.update_or_create(
            party=party,
            defaults={
                "case": case,
                "decision": decision,
                "method": method,
                "note": note,
                "online": online,
                "recorded_at": timezone.now(),
                "recorded_by": actor,
            },
        )
        _record_consent(case, consent, actor=actor, data=data, tail=f"（{note}）" if note else "")
    return consent


def _record_consent(
    case: Case, consent: PartyConsent, *, actor: Any, data: dict[str, Any], tail: str
) -> None:
    """A consent on the timeline and in the audit log. The timeline is shown to all who see the
    case, the audit log to the auditor: the party by role and masked name there, by id here
    (disputes.disclosure)."""
    party = consent.party
    who = f"{party.get_role_display()}{MASKED.name(party.name, party.kind)}"
    record_write(
        case,
        actor=actor,
        action=MediationAction.CONSENT,
        event_type=EventType.MEDIATION_CONSENT,
        obj=consent,
        note=f"{who}：{consent.get_decision_display()}"
        + (_("，同意在线调解") if consent.online else "")
        + tail,
        data=data,
    )


def consent_at_application(
    *, actor: Any, case: Case, party: Party, online: bool, text: str
) -> PartyConsent:
    """The applicant's own consent, given when applying online (网上申请): to be mediated
    (人民调解法 art. 17) and, when ``online``, to online mediation (《人民法院在线调解规则》
    art. 4). ``text`` is what they read and ticked, kept as the record's note. Called inside
    the registering transaction (the case is new: nobody else holds it)."""
    if party.case_id != case.pk:
        raise CaseRuleError(_("该当事人不属于本案。"))
    consent = PartyConsent.objects.create(
        case=case,
        party=party,
        decision=ConsentDecision.CONSENTED,
        method=ContactMethod.ONLINE,
        online=online,
        note=text[:2000],
        recorded_by=None,
    )
    data = {"party": party.pk, "decision": str(consent.decision), "method": str(consent.method)}
    if online:
        data["online"] = True
    _record_consent(case, consent, actor=actor, data=data, tail=_("（网上申请时本人确认）"))
    return consent


def rights_notice_deliver(
    *,
    actor: Any,
    case_id: int,
    method: str,
    acknowledged_party_ids: Iterable[int] = (),
    version: int | None = None,
) -> RightsNotice:
    """送达权利义务告知书 — delivering again updates the record (who has acknowledged it)."""
    ids = sorted(set(acknowledged_party_ids))
    with transaction.atomic():
        case = _lock_for_mediation(
            actor,
            case_id,
            version,
            MediationAction.RIGHTS_NOTICE,
            data={"method": method, "acknowledged": ids},
        )
        parties = list(Party.objects.filter(case=case, pk__in=ids).order_by("pk"))
        notice, _created = RightsNotice.objects.update_or_create(
            case=case,
            defaults={"method": method, "delivered_by": actor, "delivered_at": timezone.now()},
        )
        notice.acknowledged_by.set(parties)
        data = {"method": method, "acknowledged": [p.pk for p in parties]}
        record_write(
            case,
            actor=actor,
            action=MediationAction.RIGHTS_NOTICE,
            event_type=EventType.MEDIATION_NOTICE,
            obj=notice,
            data=data,
        )
    return notice


def session_record(
    *,
    actor: Any,
    case_id: int,
    held_at: datetime,
    mode: str,
    record: str,
    place: str = "",
    attendees: str = "",
    outcome: str = "",
    mediators: Iterable[Any] = (),
    version: int | None = None,
) -> MediationSession:
    """记录调解笔录. Sessions need the consent of every applicant and respondent (人民调解法
    art. 17) and the rights notice given; the first session of an accepted case starts
    mediation in the same transaction. The recording actor is always among the mediators; the
    others must act for the handling org."""
    if not record.strip():
        raise CaseRuleError(_("请填写调解记录。"))
    with transaction.atomic():
        case = _lock_for_mediation(
            actor,
            case_id,
            version,
            MediationAction.SESSION,
            note=outcome,
            data={"mode": mode, "held_at": held_at.isoformat()},
        )
        if case.status == CaseStatus.SUSPENDED:
            raise CaseRuleError(_("调解已中止，请先恢复调解再记录笔录。"))
        _check_past(case, held_at, _("调解时间"))
        blocker = mediation_blocker(case, _("记录调解笔录"))
        if blocker is not None:
            raise CaseRuleError(blocker)
        session = MediationSession.objects.create(
            case=case,
            held_at=held_at,
            mode=mode,
            place=place,
            attendees=attendees,
            record=record,
            outcome=outcome,
            recorded_by=actor,
        )
        team = {actor.pk: actor, **{m.pk: m for m in mediators}}
        if _outsiders(case, list(team)):
            raise CaseRuleError(_("调解员须为承办单位的人员。"))
        session.mediators.set(list(team.values()))
        data = {"session": session.pk, "mode": mode, "held_at": held_at.isoformat()}
        record_write(
            case,
            actor=actor,
            action=MediationAction.SESSION,
            event_type=EventType.MEDIATION_SESSION,
            obj=session,
            note=outcome,
            data=data,
        )
        if case.status == CaseStatus.ACCEPTED:
            # Same transaction: the session and the start stand or fall together.
            mediation_start(actor=actor, case_id=case.pk, version=None, note=_("首次调解"))
    return session


def handling_team(case: Case) -> QuerySet[User]:
    """Users who act for the case's handling org: who may be named as a session's mediators."""
    return User.objects.filter(is_active=True, role_grants__org_id=case.handling_org_id).distinct()


def _outsiders(case: Case, user_ids: list[int]) -> bool:
    return handling_team(case).filter(pk__in=user_ids).count() != len(set(user_ids))


# --- Evidence -----------------------------------------------------------------------------------


def evidence_check(*, file: IO[bytes], name: str, size: int) -> uploads.CheckedFile:
    """A file handed in as evidence (or as a 履行凭证), checked: within the size limit, of a
    type its bytes prove (``fengqiao.core.uploads``); refused with the reason in Chinese."""
    limit = evidence_max_bytes()
    if size > limit:
        raise CaseRuleError(
            _("文件过大：证据材料不能超过%(mb)sMB。") % {"mb": limit // (1024 * 1024)}
        )
    try:
        return uploads.check_evidence(uploads.read_limited(file, limit, _("证据材料")), name)
    except uploads.UploadRefused as exc:
        raise CaseRuleError(str(exc)) from exc


def evidence_store(
    *,
    case: Case,
    actor: Any,
    checked: uploads.CheckedFile,
    name: str,
    title: str,
    session: MediationSession | None = None,
) -> Evidence:
    """Keep a checked file as the evidence of ``case`` (inside the caller's transaction, the
    case locked): under a random name — nothing about the case or the file can be guessed from
    it — with the SHA-256 of the file as handed in and of the file as stored. The file is stored
    before its row: a rollback leaves an orphan file at worst, never a row without its file."""
    stored = default_storage.save(
        f"evidence/{secrets.token_urlsafe(24)}{checked.extension}", ContentFile(checked.data)
    )
    return Evidence.objects.create(
        case=case,
        session=session,
        title=title[:200],
        original_name=PurePath(name).name[:255],
        storage_name=stored,
        content_type=checked.kind,
        size=len(checked.data),
        sha256=checked.original_sha256,
        stored_sha256=checked.sha256,
        uploaded_by=actor,
    )


def evidence_upload(
    *,
    actor: Any,
    case_id: int,
    file: IO[bytes],
    name: str,
    size: int,
    title: str = "",
    session_id: int | None = None,
    version: int | None = None,
) -> Evidence:
    """上传证据材料 — only JPEG, PNG and PDF whose bytes match the name's type, within the size
    limit, images decoded and stored re-encoded (nothing but their pixels), PDFs without
    scripts, launch actions or embedded files (``fengqiao.core.uploads``); stored under a
    random name, with the SHA-256 of the file as handed in and of the file as stored."""
    checked = evidence_check(file=file, name=name, size=size)
    digest = checked.original_sha256
    shown = (title or PurePath(name).name)[:200]
    with transaction.atomic():
        case = _lock_for_mediation(
            actor,
            case_id,
            version,
            MediationAction.EVIDENCE,
            data={"title": shown, "sha256": digest},
        )
        session = None
        if session_id is not None:
            session = MediationSession.objects.filter(case=case, pk=session_id).first()
            if session is None:
                raise CaseRuleError(_("该调解笔录不属于本案。"))
        evidence = evidence_store(
            case=case, actor=actor, checked=checked, name=name, title=shown, session=session
        )
        info = {
            "evidence": evidence.pk,
            "title": evidence.title,
            "sha256": digest,
            "stored_sha256": evidence.stored_sha256,
        }
        record_write(
            case,
            actor=actor,
            action=MediationAction.EVIDENCE,
            event_type=EventType.MEDIATION_EVIDENCE,
            obj=evidence,
            note=evidence.title,
            data=info,
        )
    return evidence


def evidence_open(*, actor: Any, evidence: Evidence) -> IO[bytes]:
    """The stored bytes of evidence the caller has found through the case's scope; every read
    is audited (the files are personal data)."""
    audit_record(
        actor=actor,
        event_type=EventType.MEDIATION_EVIDENCE_DOWNLOADED,
        obj=evidence,
        after={"case": evidence.case_id, "sha256": evidence.sha256},
    )
    return default_storage.open(evidence.storage_name, "rb")


def expert_opinion_record(
    *,
    actor: Any,
    case_id: int,
    expert: Person,
    field: str,
    opinion: str,
    given_at: datetime | None = None,
    version: int | None = None,
) -> ExpertOpinion:
    """记录专家意见."""
    if not opinion.strip():
        raise CaseRuleError(_("请填写专家意见。"))
    given_at = given_at or timezone.now()
    data = {"expert_id": expert.pk, "field": field, "given_at": given_at.isoformat()}
    with transaction.atomic():
        case = _lock_for_mediation(
            actor, case_id, version, MediationAction.EXPERT_OPINION, data=data
        )
        _check_past(case, given_at, _("出具时间"))
        row = ExpertOpinion.objects.create(
            case=case,
            expert=expert,
            field=field,
            opinion=opinion,
            given_at=given_at,
            recorded_by=actor,
        )
        data = {"expert": expert.name, **data}
        record_write(
            case,
            actor=actor,
            action=MediationAction.EXPERT_OPINION,
            event_type=EventType.MEDIATION_EXPERT_OPINION,
            obj=row,
            note=f"{expert.name}（{field}）",
            data=data,
        )
    return row
