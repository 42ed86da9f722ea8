"""演示司法确认 — applications on the demo county's resolved cases in every state: 待受理 (one
overdue), 待裁定 (one with its period extended), 不予受理, 确认有效 (served, with a signature on
the pad), 驳回申请. Like the demo cases they are history drawn as data and inserted, dated after
each agreement as the rules allow (filed within 30 days, accepted within 3, ruled within 15);
the screening runs as on filing, and the PDFs are issued by the documents engine (in the small
county only for the confirmed one, to keep the seed fast)."""

from __future__ import annotations

import hashlib
import io
import secrets
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from fengqiao.accounts.models import User
from fengqiao.court import screening
from fengqiao.court.confirmation_policy import competent_court
from fengqiao.court.models.confirmation import (
    Confirmation,
    ConfirmationStatus,
    ScreeningFlag,
    ServiceMethod,
    ServiceReceipt,
)
from fengqiao.court.services.confirmation import (
    ACCEPT_PERIOD,
    EXTENSION_DAYS,
    RULE_PERIOD,
    application_document_issue,
    court_document_issue,
    next_number,
)
from fengqiao.court.services.confirmation_due import due_extend, due_start
from fengqiao.disputes.choices import CaseStatus, DueKind, PartyRole, PeriodUnit
from fengqiao.disputes.deadlines import Period, period_end
from fengqiao.disputes.models import Case
from fengqiao.documents.choices import DocumentType
from fengqiao.mediation.choices import AgreementKind
from fengqiao.orgs.models import Organization

# The states the demo shows, in the order the candidates (newest agreement first) take them.
PLAN = (
    ConfirmationStatus.PENDING,
    ConfirmationStatus.ACCEPTED,
    ConfirmationStatus.CONFIRMED,
    ConfirmationStatus.NOT_ACCEPTED,
    ConfirmationStatus.REJECTED,
    ConfirmationStatus.ACCEPTED,
    ConfirmationStatus.CONFIRMED,
    ConfirmationStatus.PENDING,
)
NOT_ACCEPTED_REASON = "调解协议内容涉及宅基地使用权确权，依法不属于司法确认的范围。"
REJECTED_REASON = "经询问，被申请人称协议约定的补偿数额系受胁迫达成，协议非双方真实意思表示。"
CONFIRMED_REASON = "调解协议系双方当事人真实意思表示，内容不违反法律、行政法规的强制性规定。"


# Of the older written agreements, the share (per cent) the county had confirmed: the history's
# 司法确认率 (with none, the demo leader's 司法确认率 read 0.1 %, two cases in a year).
HISTORY_SHARE = 6
# An agreement older than this is history: the live applications are on the newest.
HISTORY_AFTER = timedelta(days=45)


@dataclass
class DemoConfirmationSummary:
    confirmations: int
    documents: int
    history: int = 0


def _signature_png() -> bytes:
    image = Image.new("RGB", (480, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(40, 110), (120, 40), (180, 120), (260, 50), (330, 115), (420, 60)], "black", 4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _before(moment: datetime, now: datetime) -> datetime:
    return min(moment, now - timedelta(minutes=30))


def demo_confirmations_seed(*, small: bool) -> DemoConfirmationSummary:
    """Applications on the newest resolved cases with a written agreement whose committee has a
    court, the demo judge's court first."""
    now = timezone.now()
    cases = list(
        Case.objects.filter(
            status__in=[CaseStatus.RESOLVED, CaseStatus.ARCHIVED],
            agreement__kind=AgreementKind.WRITTEN,
            handling_org__isnull=False,
            handler__isnull=False,
        )
        .select_related("agreement", "handling_org__region", "handling_org__kind", "handler")
        .order_by("-agreement__concluded_at")[:60]
    )
    judge = User.objects.filter(username="judge").first()
    judge_orgs = set(judge.role_grants.values_list("org_id", flat=True)) if judge else set()
    picked = []
    for case in cases:
        court = competent_court(case)
        if court is not None:
            picked.append((court.pk not in judge_orgs, case, court))
    picked.sort(key=lambda row: row[0])  # the demo judge's court first, newest first within
    documents = 0
    history = _history(now, exclude={case.pk for _o, case, _c in picked[: len(PLAN)]})
    with transaction.atomic():
        # The history first, oldest first: the courts' 民特 numbers follow the dates.
        for case, court in history:
            documents += _one(
                case, court, ConfirmationStatus.CONFIRMED, now=now, with_documents=not small
            )
        # Then the live ones, in the order of their agreements (so of their numbers).
        live = sorted(
            zip(PLAN, picked, strict=False), key=lambda row: row[1][1].agreement.concluded_at
        )
        for status, (_other, case, court) in live:
            documents += _one(
                case,
                court,
                status,
                now=now,
                with_documents=not small
                or (status == ConfirmationStatus.CONFIRMED and documents == 0),
            )
    return DemoConfirmationSummary(
        min(len(PLAN), len(picked)) + len(history), documents, len(history)
    )


def _history(now: datetime, exclude: set[int]) -> list[tuple[Case, Organization]]:
    """The older written agreements the county had confirmed (``HISTORY_SHARE`` of them, chosen
    by their case number, not by the generator), each with its competent court, oldest first."""
    cases = (
        Case.objects.filter(
            status__in=[CaseStatus.RESOLVED, CaseStatus.ARCHIVED],
            agreement__kind=AgreementKind.WRITTEN,
            agreement__concluded_at__lt=now - HISTORY_AFTER,
            handling_org__isnull=False,
            handler__isnull=False,
        )
        .exclude(pk__in=exclude)
        .select_related("agreement", "handling_org__region", "handling_org__kind", "handler")
        .order_by("agreement__concluded_at", "pk")
    )
    out = []
    for case in cases:
        if zlib.crc32(case.number.encode()) % 100 >= HISTORY_SHARE:
            continue
        court = competent_court(case)
        if court is not None:
            out.append((case, court))
    return out


def _court_user(court_id: int, username: str) -> User | None:
    user = User.objects.filter(username=username, role_grants__org_id=court_id).first()
    if user is not None:
        return user
    return User.objects.filter(role_grants__org_id=court_id).order_by("pk").first()


def _due_items(c: Confirmation) -> None:
    """The standing application's limit on the deadline sweep, as filing and acceptance open
    it (the overdue 待受理 one is supervised by the next sweep)."""
    if c.status == ConfirmationStatus.PENDING:
        due_start(
            c,
            kind=DueKind.CONFIRM_ACCEPT,
            start=c.filed_at,
            period=ACCEPT_PERIOD,
            due_at=c.accept_due_at,
        )
    elif c.status == ConfirmationStatus.ACCEPTED and c.accepted_at and c.rule_due_at:
        due_start(
            c,
            kind=DueKind.CONFIRM_RULE,
            start=c.accepted_at,
            period=RULE_PERIOD,
            due_at=period_end(c.accepted_at, RULE_PERIOD),
        )
        if c.extended_at is not None:
            extended = due_extend(c, days=EXTENSION_DAYS)
            if extended is not None and extended != c.rule_due_at:
                c.rule_due_at = extended
                c.save(update_fields=["rule_due_at"])


def _one(
    case: Case, court: Organization, status: str, *, now: datetime, with_documents: bool
) -> int:
    agreement = case.agreement
    concluded = agreement.concluded_at
    filed = _before(concluded + timedelta(days=2, hours=3), now)
    if status == ConfirmationStatus.PENDING:
        # A pending application is recent, unless the agreement is old (then it is overdue).
        filed = _before(max(filed, now - timedelta(days=1)), now)
        filed = min(filed, concluded + timedelta(days=29))
    c = Confirmation(
        case=case,
        agreement=agreement,
        court=court,
        filed_org=case.handling_org,
        filed_by=case.handler,
        filed_at=filed,
        effective_at=concluded,
        scan_name="调解协议书（签字盖章）.png",
        scan_storage_name=f"confirmations/demo-{secrets.token_urlsafe(18)}.png",
        scan_content_type="image/png",
        scan_sha256="",
        accept_due_at=period_end(filed, Period(PeriodUnit.DAYS, ACCEPT_PERIOD.amount)),
    )
    scan = _signature_png()
    default_storage.save(c.scan_storage_name, ContentFile(scan))
    c.scan_sha256 = hashlib.sha256(scan).hexdigest()
    judge = _court_user(c.court_id, "judge")
    clerk = _court_user(c.court_id, "clerk") or judge
    if status != ConfirmationStatus.PENDING:
        decided = _before(filed + timedelta(days=1, hours=2), now)
        if status == ConfirmationStatus.NOT_ACCEPTED:
            c.decided_at, c.decided_by, c.reasons = decided, clerk, NOT_ACCEPTED_REASON
        else:
            c.accepted_at, c.accepted_by = decided, clerk
            c.rule_due_at = period_end(decided, RULE_PERIOD)
            c.number = next_number(c.court, timezone.localtime(decided).year)
            if status == ConfirmationStatus.ACCEPTED and c.accepted_at < now - timedelta(days=10):
                c.extended_at, c.extended_by = c.accepted_at + timedelta(days=9), judge
                c.extension_approver = "院长 陈立新"
                c.extension_reason = "需通知被申请人到庭核实协议履行能力。"
                c.rule_due_at = period_end(
                    decided, Period(PeriodUnit.DAYS, RULE_PERIOD.amount + EXTENSION_DAYS)
                )
            if status in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED):
                c.decided_at = _before(decided + timedelta(days=6), now)
                c.decided_by = judge
                c.reasons = (
                    CONFIRMED_REASON if status == ConfirmationStatus.CONFIRMED else REJECTED_REASON
                )
    c.status = status
    c.save()
    _due_items(c)
    parties = list(case.parties.all())
    c.applicants.set([p for p in parties if p.role in (PartyRole.APPLICANT, PartyRole.RESPONDENT)])
    flags = screening.screen(case, agreement)
    ack = c.decided_at if c.decided_by_id and status != ConfirmationStatus.NOT_ACCEPTED else None
    ScreeningFlag.objects.bulk_create(
        ScreeningFlag(
            confirmation=c,
            code=f.code,
            reason=f.reason,
            acknowledged_at=ack,
            acknowledged_by=judge if ack else None,
            note="已询问双方当事人，纠纷真实。" if ack else "",
        )
        for f in flags
    )
    issued = 0
    if with_documents and c.filed_by is not None:
        c.application_document = application_document_issue(c, actor=c.filed_by)
        issued += 1
        if status == ConfirmationStatus.NOT_ACCEPTED:
            c.decision_document = court_document_issue(
                c, actor=clerk, doc_type=DocumentType.CONFIRMATION_NOT_ACCEPTED
            )
            issued += 1
        elif status in (ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED):
            c.decision_document = court_document_issue(
                c, actor=judge, doc_type=DocumentType.CONFIRMATION_RULING
            )
            issued += 1
        c.save(update_fields=["application_document", "decision_document"])
    if status == ConfirmationStatus.CONFIRMED and c.decided_at is not None:
        # 当场送达: the applicant signed on the pad the same day.
        applicant = next((p for p in parties if p.role == PartyRole.APPLICANT), None)
        if applicant is not None and c.filed_by is not None:
            name = default_storage.save(
                f"receipts/demo-{secrets.token_urlsafe(18)}.png", ContentFile(_signature_png())
            )
            ServiceReceipt.objects.create(
                confirmation=c,
                party=applicant,
                method=ServiceMethod.SIGNATURE_PAD,
                served_at=_before(c.decided_at + timedelta(hours=3), now),
                served_by=c.filed_by,
                place=case.handling_org.name if case.handling_org else "",
                storage_name=name,
                content_type="image/png",
                sha256=hashlib.sha256(_signature_png()).hexdigest(),
            )
    return issued
