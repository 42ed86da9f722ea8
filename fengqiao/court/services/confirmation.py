"""Writes of judicial confirmation (司法确认): filing on the spot (就地申请), acceptance or
不予受理, the extension of the review period, the judge's acknowledgement of the
false-mediation flags, the ruling and its service (送达回证). Every function checks
``confirmation_policy`` on the locked row, writes an audit event and a timeline entry on the case.

The legal rules and their sources (docs/court.md gives the same with the article texts):

- 30 days from the agreement taking effect (人民调解法 art. 33); the agreement takes effect
  when signed and sealed (art. 29), recorded as ``Agreement.concluded_at``; the day it took
  effect is not counted and a period ending on a day off runs to the next working day
  (民法典 arts. 201, 203);
- acceptance within 3 days of filing, a ruling within 15 days of acceptance, extendable once by
  10 days with the court president's approval (最高人民法院《关于人民调解协议司法确认程序的若干
  规定》法释〔2011〕5号 art. 4: 三日内决定是否受理; art. 5: 十五日内作出是否确认的决定，经本院
  院长批准可以延长十日 — both checked against the published text);
- not accepted (same, art. 4): 不属于人民法院受理民事案件的范围 (行政争议) or 不属于接受申请的人民
  法院管辖; 确认身份关系, 收养关系, 婚姻关系 (also 民事诉讼法解释 art. 355, from memory);
- a dispute that belongs to an intermediate court goes there (民事诉讼法 2023 art. 205).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core import uploads
from fengqiao.core.choices import DisputeCategory
from fengqiao.court import screening
from fengqiao.court.confirmation_policy import (
    ACCEPT,
    ACKNOWLEDGE,
    EXTEND,
    REFUSE,
    RULE,
    SERVE,
    case_may_file,
    competent_court,
    confirmation_may,
    same_basic_court,
)
from fengqiao.court.documents import (
    application_context,
    confirmation_subject,
    decision_context,
)
from fengqiao.court.models.confirmation import (
    Confirmation,
    ConfirmationAction,
    ConfirmationCounter,
    ConfirmationStatus,
    ScreeningFlag,
    ServiceMethod,
    ServiceReceipt,
)
from fengqiao.court.selectors.confirmation import filable_agreement, live_confirmation
from fengqiao.court.services.confirmation_due import due_extend, due_finish, due_start
from fengqiao.disputes.choices import DueKind, PartyRole, PeriodUnit
from fengqiao.disputes.deadlines import Period, period_end
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.parties import parties_tell
from fengqiao.disputes.services.transitions import lock_case, record_event
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.documents.services import (
    DocumentRefused,
    PreparedDocument,
    document_current,
    document_issue,
    document_prepare,
    document_store,
)
from fengqiao.notify.choices import PartyStep
from fengqiao.orgs.models import Organization

# 人民调解法 art. 33: 自调解协议生效之日起三十日内.
FILING_PERIOD = Period(PeriodUnit.DAYS, 30)
# 法释〔2011〕5号 art. 4 (受理: 三日内) and art. 5 (十五日内; 经本院院长批准可以延长十日).
ACCEPT_PERIOD = Period(PeriodUnit.DAYS, 3)
RULE_PERIOD = Period(PeriodUnit.DAYS, 15)
EXTENSION_DAYS = 10
# 中级人民法院管辖第一审民事案件的诉讼标的额下限 (法发〔2021〕27号: 5亿元, from memory).
INTERMEDIATE_AMOUNT_DEFAULT = Decimal("500000000")
SCAN_MAX_BYTES_DEFAULT = 20 * 1024 * 1024
SIGNATURE_MAX_BYTES = 2 * 1024 * 1024


def scan_max_bytes() -> int:
    return int(getattr(settings, "FENGQIAO_CONFIRMATION_SCAN_MAX_BYTES", SCAN_MAX_BYTES_DEFAULT))


def filing_deadline(effective_at: datetime) -> datetime:
    """The end of the last day an application may be filed: day 30 after the agreement took
    effect (that day not counted), moved to the next working day when it is a day off."""
    return period_end(effective_at, FILING_PERIOD)


def time_limit_refusal(effective_at: datetime, at: datetime) -> str | None:
    """Why an application filed at ``at`` is too late, or None (day 30 is in time, day 31
    is not)."""
    deadline = filing_deadline(effective_at)
    if at <= deadline:
        return None
    return _(
        "调解协议于%(effective)s生效，依《人民调解法》第三十三条应自生效之日起三十日内申请司法确认"
        "（截止%(deadline)s），现已超过期限，不能申请。当事人可以就调解协议的履行或内容向人民法院"
        "提起诉讼。"
    ) % {
        "effective": timezone.localtime(effective_at).strftime("%Y年%m月%d日"),
        "deadline": timezone.localtime(deadline).strftime("%Y年%m月%d日"),
    }


EXCLUDED_MATTERS = {
    "involves_identity": "确认身份关系",
    "involves_adoption": "收养关系",
    "involves_marriage": "婚姻关系",
}


def excluded_refusal(case: Case, answers: dict[str, bool]) -> str | None:
    """Why the matter cannot be confirmed: the mediator's checklist (identity, adoption,
    marriage status) or the case's category (行政争议 is not a civil matter)."""
    ticked = [EXCLUDED_MATTERS[k] for k, v in answers.items() if v and k in EXCLUDED_MATTERS]
    if ticked:
        return _(
            "调解协议涉及%(matters)s，依最高人民法院《关于人民调解协议司法确认程序的若干规定》"
            "第四条，人民法院不予受理此类司法确认申请。"
        ) % {"matters": "、".join(ticked)}
    if case.category == DisputeCategory.ADMINISTRATIVE:
        return _("行政争议不属于人民法院受理民事案件的范围，不能申请司法确认。")
    return None


def court_refusal(case: Case, chosen: Organization) -> str | None:
    """Why ``chosen`` is not the court for this application (the competent one named)."""
    threshold = Decimal(
        str(getattr(settings, "FENGQIAO_INTERMEDIATE_COURT_AMOUNT", INTERMEDIATE_AMOUNT_DEFAULT))
    )
    if case.amount is not None and case.amount >= threshold:
        return _(
            "本纠纷涉及金额%(amount)s元，达到中级人民法院管辖标准（%(threshold)s元），依《民事诉讼法》"
            "第二百零五条应向相应的中级人民法院申请司法确认，本平台不能代为向基层人民法院提交。"
        ) % {"amount": f"{case.amount:,.2f}", "threshold": f"{threshold:,.0f}"}
    competent = competent_court(case)
    if competent is None:
        return _(
            "未找到本案的管辖法院（调解组织所在地的基层人民法院），请联系系统管理员核对单位设置。"
        )
    if same_basic_court(chosen, competent):
        return None
    why = (
        _("本案由%(court)s委派（委托）调解，应向该院申请司法确认。")
        if case.source_org_id == competent.pk
        else _("调解组织所在地的基层人民法院为%(court)s，应向该院申请司法确认。")
    )
    return _("%(chosen)s对本案无管辖权：") % {"chosen": chosen.name} + why % {
        "court": competent.name
    }


def _lock(actor: Any, confirmation_id: int, action: str, version: int | None) -> Confirmation:
    confirmation = (
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("case", "court", "agreement", "filed_org")
        .filter(pk=confirmation_id)
        .first()
    )
    if confirmation is None:
        raise PermissionDenied(_("您无权办理该司法确认申请。"))
    if version is not None and version != confirmation.version:
        raise CaseRuleError(_("该申请已被他人处理，请刷新页面后重试。"))
    if not confirmation_may(actor, confirmation, action):
        if action == RULE and confirmation.flags.filter(acknowledged_at__isnull=True).exists():
            raise CaseRuleError(_("请先逐项审查并确认虚假调解筛查提示，再作出裁定。"))
        raise PermissionDenied(_("您不能对该司法确认申请执行此操作。"))
    return confirmation


def _timeline(
    confirmation: Confirmation, *, actor: Any, action: str, note: str = "", org: Any = None
) -> None:
    case = confirmation.case
    record_event(
        case,
        actor=actor,
        action=action,
        from_status=case.status,
        to_status=case.status,
        note=note,
        data={"confirmation": confirmation.pk, "status": confirmation.status},
        org=org,
    )


def confirmation_file(
    *,
    actor: Any,
    case_id: int,
    court_id: int,
    applicant_ids: list[int],
    involves_identity: bool,
    involves_adoption: bool,
    involves_marriage: bool,
    scan: IO[bytes],
    scan_name: str,
    scan_size: int,
    note: str = "",
) -> Confirmation:
    """申请司法确认 (就地申请): the mediator files the parties' joint application with the
    signed agreement scanned; refused with the reason when it is late, the matter is excluded
    or the court is not the competent one. Screens the case for false mediation and issues the
    司法确认申请书."""
    limit = scan_max_bytes()
    if scan_size > limit:
        raise CaseRuleError(_("文件过大：协议扫描件不能超过%(mb)sMB。") % {"mb": limit // 2**20})
    try:
        checked = uploads.check_evidence(
            uploads.read_limited(scan, limit, _("协议扫描件")), scan_name
        )
    except uploads.UploadRefused as exc:
        raise CaseRuleError(str(exc)) from exc
    now = timezone.now()
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if not case_may_file(actor, case):
            if live_confirmation(case) is not None:
                raise CaseRuleError(_("本案已有司法确认申请在办理或已确认，不能重复申请。"))
            if filable_agreement(case) is None and case.status in ("resolved", "archived"):
                raise CaseRuleError(_("只有书面调解协议可以申请司法确认。"))
            raise PermissionDenied(_("只有调解成功案件的承办调解员可以就地申请司法确认。"))
        agreement = filable_agreement(case)
        if agreement is None or case.handling_org is None:  # case_may_file checked both
            raise CaseRuleError(_("只有书面调解协议可以申请司法确认。"))
        answers = {
            "involves_identity": involves_identity,
            "involves_adoption": involves_adoption,
            "involves_marriage": involves_marriage,
        }
        refusal = time_limit_refusal(agreement.concluded_at, now) or excluded_refusal(case, answers)
        court = Organization.objects.filter(pk=court_id, is_active=True).first()
        if refusal is None:
            if court is None:
                raise CaseRuleError(_("请选择受理法院。"))
            refusal = court_refusal(case, court)
        if refusal is not None or court is None:
            raise CaseRuleError(refusal or _("请选择受理法院。"))
        parties = list(case.parties.all())
        applicants = [p for p in parties if p.pk in set(applicant_ids)]
        sides = {p.role for p in applicants}
        # 双方当事人共同申请: at least one party of each side applies.
        if not {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= sides:
            raise CaseRuleError(
                _("司法确认须由双方当事人共同申请：请勾选申请人一方和被申请人一方的当事人。")
            )
        storage_name = f"confirmations/{secrets.token_urlsafe(24)}{checked.extension}"
        stored = default_storage.save(storage_name, ContentFile(checked.data))
        confirmation = Confirmation.objects.create(
            case=case,
            agreement=agreement,
            court=court,
            filed_org=case.handling_org,
            filed_by=actor,
            filed_at=now,
            effective_at=agreement.concluded_at,
            scan_name=scan_name[:255],
            scan_storage_name=stored,
            scan_content_type=checked.kind,
            scan_sha256=checked.original_sha256,
            note=note,
            accept_due_at=period_end(now, ACCEPT_PERIOD),
        )
        confirmation.applicants.set(applicants)
        due_start(
            confirmation,
            kind=DueKind.CONFIRM_ACCEPT,
            start=now,
            period=ACCEPT_PERIOD,
            due_at=confirmation.accept_due_at,
        )
        flags = screening.screen(case, agreement)
        ScreeningFlag.objects.bulk_create(
            ScreeningFlag(confirmation=confirmation, code=f.code, reason=f.reason) for f in flags
        )
        confirmation.application_document = application_document_issue(
            confirmation, actor=actor, note=note
        )
        confirmation.save(update_fields=["application_document"])
        _timeline(
            confirmation,
            actor=actor,
            action=ConfirmationAction.FILE,
            note=_("向%(court)s申请司法确认") % {"court": court.name},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CONFIRMATION_FILED,
            obj=confirmation,
            after={
                "case": case.pk,
                "court": court.pk,
                "applicants": [p.pk for p in applicants],
                "scan_sha256": checked.original_sha256,
                "flags": [str(f.code) for f in flags],
            },
        )
    return confirmation


def application_document_issue(
    confirmation: Confirmation, *, actor: Any, note: str = ""
) -> IssuedDocument:
    """The 司法确认申请书 of ``confirmation``, issued by its committee."""
    return document_issue(
        actor=actor,
        doc_type=DocumentType.CONFIRMATION_APPLICATION,
        case_number=confirmation.case.number,
        issuer_org=confirmation.filed_org,
        context=application_context(confirmation),
        party_names=[p.name for p in confirmation.applicants.all()],
        subject=confirmation_subject(confirmation),
    )


def next_number(court: Organization, year: int) -> str:
    """The court's next 民特 number of ``year`` (the counter row locked)."""
    counter, _created = ConfirmationCounter.objects.select_for_update().get_or_create(
        court=court, year=year
    )
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    prefix = court.code or court.name
    return f"（{year}）{prefix}民特{counter.last_seq}号"


def confirmation_accept(
    *, actor: Any, confirmation_id: int, version: int | None = None
) -> Confirmation:
    """受理: the court takes the application and gives it a 民特 number; the 15-day review
    starts."""
    with transaction.atomic():
        confirmation = _lock(actor, confirmation_id, ACCEPT, version)
        now = timezone.now()
        confirmation.status = ConfirmationStatus.ACCEPTED
        confirmation.accepted_at = now
        confirmation.accepted_by = actor
        confirmation.rule_due_at = period_end(now, RULE_PERIOD)
        confirmation.number = next_number(confirmation.court, timezone.localdate(now).year)
        confirmation.version += 1
        confirmation.save()
        due_start(
            confirmation,
            kind=DueKind.CONFIRM_RULE,
            start=now,
            period=RULE_PERIOD,
            due_at=confirmation.rule_due_at,
        )
        _timeline(
            confirmation,
            actor=actor,
            action=ConfirmationAction.ACCEPT,
            note=confirmation.number,
            org=confirmation.court,
        )
        audit_record(
            actor=actor,
            event_type=EventType.CONFIRMATION_ACCEPTED,
            obj=confirmation,
            after={"number": confirmation.number, "rule_due_at": str(confirmation.rule_due_at)},
        )
    return confirmation


def _decision_document(confirmation: Confirmation, doc_type: DocumentType) -> PreparedDocument:
    """The court's document on the decided ``confirmation`` (不予受理通知书 or 民事裁定书),
    rendered and signed, not stored."""
    try:
        return document_prepare(
            doc_type=doc_type,
            case_number=confirmation.case.number,
            issuer_org=confirmation.court,
            context=decision_context(confirmation),
            subject=confirmation_subject(confirmation),
        )
    except DocumentRefused as refused:
        # No valid signing certificate: the judge is told who must upload one, nothing is saved.
        raise CaseRuleError(str(refused)) from refused


def court_document_issue(
    confirmation: Confirmation, *, actor: Any, doc_type: DocumentType
) -> IssuedDocument:
    """The court's document on the decided ``confirmation``, rendered and stored at once (the
    demo seed, which holds no lock)."""
    prepared = _decision_document(confirmation, doc_type)
    return document_store(
        prepared, actor=actor, party_names=[p.name for p in confirmation.applicants.all()]
    )


def _draft(
    actor: Any,
    confirmation_id: int,
    action: str,
    version: int | None,
    decide: Callable[[Confirmation], None],
    doc_type: DocumentType,
) -> tuple[PreparedDocument | None, int]:
    """The decision's document rendered and signed before the row is locked (0.2–0.3 s that no
    lock should wait for), from the row as read now with the decision applied in memory.
    ``(None, 0)`` when the row cannot take the decision now: the locked check says why."""
    draft = (
        Confirmation.objects.select_related("case", "court", "agreement", "filed_org")
        .filter(pk=confirmation_id)
        .first()
    )
    if (
        draft is None
        or (version is not None and version != draft.version)
        or not confirmation_may(actor, draft, action)
    ):
        return None, 0
    seen = draft.version
    decide(draft)
    return _decision_document(draft, doc_type), seen


def _decision_stored(
    confirmation: Confirmation,
    *,
    actor: Any,
    prepared: PreparedDocument | None,
    seen: int,
    doc_type: DocumentType,
) -> IssuedDocument:
    """Under the row's lock, with the decision applied: keep the document drafted before the
    lock if the row did not move since, else render it again here."""
    if prepared is None or confirmation.version != seen or not document_current(prepared):
        prepared = _decision_document(confirmation, doc_type)
    return document_store(
        prepared, actor=actor, party_names=[p.name for p in confirmation.applicants.all()]
    )


def _tell_parties(confirmation: Confirmation) -> None:
    """The applicants hear the court's answer by SMS, with what they can do next (人民调解法
    art. 33), in the decision's transaction (告知当事人)."""
    status = confirmation.status
    if status == ConfirmationStatus.CONFIRMED:
        result = _("裁定确认调解协议有效")
        next_steps = _("一方拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。")
    elif status == ConfirmationStatus.REJECTED:
        result = _("裁定驳回申请")
        next_steps = _(
            "当事人可以通过调解方式变更原调解协议或者达成新的调解协议，也可以向人民法院提起诉讼。"
        )
    else:
        result = _("不予受理")
        next_steps = _("理由见法院送达的通知书；可以向有管辖权的人民法院申请，或依法提起诉讼。")
    parties_tell(
        confirmation.case,
        step=PartyStep.CONFIRMATION,
        ref=str(confirmation.pk),
        parties=confirmation.applicants.all(),
        values={"court": confirmation.court.name, "result": result, "next_steps": next_steps},
    )


def confirmation_refuse(
    *, actor: Any, confirmation_id: int, reasons: str, version: int | None = None
) -> Confirmation:
    """不予受理 with the reason; issues the 不予受理通知书."""
    if not reasons.strip():
        raise CaseRuleError(_("请填写不予受理的理由。"))
    now = timezone.now()
    doc_type = DocumentType.CONFIRMATION_NOT_ACCEPTED

    def decide(c: Confirmation) -> None:
        c.status = ConfirmationStatus.NOT_ACCEPTED
        c.decided_at = now
        c.decided_by = actor
        c.reasons = reasons.strip()

    prepared, seen = _draft(actor, confirmation_id, REFUSE, version, decide, doc_type)
    with transaction.atomic():
        confirmation = _lock(actor, confirmation_id, REFUSE, version)
        decide(confirmation)
        confirmation.decision_document = _decision_stored(
            confirmation, actor=actor, prepared=prepared, seen=seen, doc_type=doc_type
        )
        confirmation.version += 1
        confirmation.save()
        due_finish(confirmation)
        _timeline(
            confirmation,
            actor=actor,
            action=ConfirmationAction.NOT_ACCEPT,
            note=confirmation.reasons,
            org=confirmation.court,
        )
        _tell_parties(confirmation)
        audit_record(
            actor=actor,
            event_type=EventType.CONFIRMATION_NOT_ACCEPTED,
            obj=confirmation,
            after={"reasons": confirmation.reasons},
        )
    return confirmation


def confirmation_extend(
    *,
    actor: Any,
    confirmation_id: int,
    approver: str,
    reason: str,
    version: int | None = None,
) -> Confirmation:
    """延长审查期限 by 10 days, once, with the approval recorded (who approved, why)."""
    if not approver.strip() or not reason.strip():
        raise CaseRuleError(_("延长审查期限须记录批准人和延长理由。"))
    with transaction.atomic():
        confirmation = _lock(actor, confirmation_id, EXTEND, version)
        accepted_at = confirmation.accepted_at or timezone.now()  # set when accepted
        before = confirmation.rule_due_at
        # The 审查期限 on the deadline engine moves by the 10 days (a recount keeps them).
        confirmation.rule_due_at = due_extend(confirmation, days=EXTENSION_DAYS) or period_end(
            accepted_at,
            Period(PeriodUnit.DAYS, RULE_PERIOD.amount + EXTENSION_DAYS),
        )
        confirmation.extended_at = timezone.now()
        confirmation.extended_by = actor
        confirmation.extension_approver = approver.strip()
        confirmation.extension_reason = reason.strip()
        confirmation.version += 1
        confirmation.save()
        _timeline(
            confirmation,
            actor=actor,
            action=ConfirmationAction.EXTEND,
            note=_("经%(approver)s批准延长十日：%(reason)s")
            % {
                "approver": confirmation.extension_approver,
                "reason": confirmation.extension_reason,
            },
            org=confirmation.court,
        )
        audit_record(
            actor=actor,
            event_type=EventType.CONFIRMATION_EXTENDED,
            obj=confirmation,
            before={"rule_due_at": str(before)},
            after={
                "rule_due_at": str(confirmation.rule_due_at),
                "approver": confirmation.extension_approver,
                "reason": confirmation.extension_reason,
            },
        )
    return confirmation


def flag_acknowledge(*, actor: Any, flag_id: int, note: str = "") -> ScreeningFlag:
    """The judge has reviewed a false-mediation flag (and says what was found)."""
    flag = ScreeningFlag.objects.filter(pk=flag_id).values_list("confirmation_id", flat=True)
    confirmation_id = flag.first()
    if confirmation_id is None:
        raise PermissionDenied(_("您无权办理该司法确认申请。"))
    with transaction.atomic():
        confirmation = _lock(actor, confirmation_id, ACKNOWLEDGE, None)
        row = ScreeningFlag.objects.select_for_update().get(pk=flag_id)
        if row.acknowledged_at is not None:
            return row
        row.acknowledged_at = timezone.now()
        row.acknowledged_by = actor
        row.note = note.strip()
        row.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        audit_record(
            actor=actor,
            event_type=EventType.CONFIRMATION_FLAG_ACKNOWLEDGED,
            obj=row,
            after={"confirmation": confirmation.pk, "code": row.code, "note": row.note},
        )
    return row


def confirmation_rule(
    *,
    actor: Any,
    confirmation_id: int,
    confirmed: bool,
    reasons: str,
    version: int | None = None,
) -> Confirmation:
    """裁定: 确认有效 or 驳回申请, with the reasons; issues the 民事裁定书 (the variant follows the
    ruling). Every false-mediation flag must have been acknowledged."""
    if not reasons.strip():
        raise CaseRuleError(_("请填写裁定理由。"))
    now = timezone.now()
    doc_type = DocumentType.CONFIRMATION_RULING

    def decide(c: Confirmation) -> None:
        c.status = ConfirmationStatus.CONFIRMED if confirmed else ConfirmationStatus.REJECTED
        c.decided_at = now
        c.decided_by = actor
        c.reasons = reasons.strip()

    prepared, seen = _draft(actor, confirmation_id, RULE, version, decide, doc_type)
    with transaction.atomic():
        confirmation = _lock(actor, confirmation_id, RULE, version)
        decide(confirmation)
        confirmation.decision_document = _decision_stored(
            confirmation, actor=actor, prepared=prepared, seen=seen, doc_type=doc_type
        )
        confirmation.version += 1
        confirmation.save()
        due_finish(confirmation)
        _timeline(
            confirmation,
            actor=actor,
            action=ConfirmationAction.RULE,
            note=f"{confirmation.number} {confirmation.get_status_display()}",
            org=confirmation.court,
        )
        _tell_parties(confirmation)
        audit_record(
            actor=actor,
            event_type=EventType.CONFIRMATION_RULED,
            obj=confirmation,
            after={"status": confirmation.status, "reasons": confirmation.reasons},
        )
    return confirmation


def receipt_record(
    *,
    actor: Any,
    confirmation_id: int,
    party_id: int,
    method: str,
    file: IO[bytes],
    name: str,
    size: int,
    served_at: datetime | None = None,
    place: str = "",
) -> ServiceReceipt:
    """送达回证: the ruling served on a party, with the party's signature drawn on the pad
    (a PNG) or the signed paper receipt scanned (JPEG, PNG or PDF)."""
    if method not in ServiceMethod.values:
        raise CaseRuleError(_("请选择签收方式。"))
    limit = SIGNATURE_MAX_BYTES if method == ServiceMethod.SIGNATURE_PAD else scan_max_bytes()
    if size > limit:
        raise CaseRuleError(_("文件过大：送达回证不能超过%(mb)sMB。") % {"mb": limit // 2**20})
    try:
        checked = uploads.check_evidence(uploads.read_limited(file, limit, _("送达回证")), name)
    except uploads.UploadRefused as exc:
        raise CaseRuleError(str(exc)) from exc
    if method == ServiceMethod.SIGNATURE_PAD and checked.kind != uploads.PNG:
        raise CaseRuleError(_("手写板签名须为PNG图片。"))
    served_at = served_at or timezone.now()
    if served_at > timezone.now():
        raise CaseRuleError(_("送达时间不能晚于当前时间。"))
    with transaction.atomic():
        confirmation = _lock(actor, confirmation_id, SERVE, None)
        if confirmation.decided_at and served_at < confirmation.decided_at:
            raise CaseRuleError(_("送达时间不能早于裁定时间。"))
        party = Party.objects.filter(pk=party_id, case_id=confirmation.case_id).first()
        if party is None:
            raise CaseRuleError(_("受送达人不是本案当事人。"))
        if ServiceReceipt.objects.filter(confirmation=confirmation, party=party).exists():
            raise CaseRuleError(_("已记录向该当事人送达。"))
        stored = default_storage.save(
            f"receipts/{secrets.token_urlsafe(24)}{checked.extension}", ContentFile(checked.data)
        )
        receipt = ServiceReceipt.objects.create(
            confirmation=confirmation,
            party=party,
            method=method,
            served_at=served_at,
            served_by=actor,
            place=place,
            storage_name=stored,
            content_type=checked.kind,
            sha256=checked.original_sha256,
        )
        _timeline(
            confirmation,
            actor=actor,
            action=ConfirmationAction.SERVE,
            note=_("向%(party)s送达民事裁定书（%(method)s）")
            % {"party": party.name, "method": receipt.get_method_display()},
        )
        audit_record(
            actor=actor,
            event_type=EventType.CONFIRMATION_SERVED,
            obj=receipt,
            after={"party": party.pk, "method": method, "sha256": receipt.sha256},
        )
    return receipt


def confirmation_file_open(*, actor: Any, confirmation: Confirmation, what: str) -> IO[bytes]:
    """The stored agreement scan of an application the caller found through its scope; every
    read is audited (it carries the parties' signatures)."""
    audit_record(
        actor=actor,
        event_type=EventType.CONFIRMATION_FILE_READ,
        obj=confirmation,
        after={"file": what},
    )
    return default_storage.open(confirmation.scan_storage_name, "rb")


def receipt_file_open(*, actor: Any, receipt: ServiceReceipt) -> IO[bytes]:
    """The signature of a recorded 送达回证 (the pad's image or the scanned receipt) for a
    reader ``selectors.receipt_get_for_reader`` allowed; every read is audited."""
    audit_record(
        actor=actor,
        event_type=EventType.CONFIRMATION_FILE_READ,
        obj=receipt.confirmation,
        after={"file": "receipt", "receipt": receipt.pk, "sha256": receipt.sha256},
    )
    return default_storage.open(receipt.storage_name, "rb")
