"""Fulfilment (履行) of a mediation agreement — DESIGN §2: performance deadline tracking,
reminders, proof of performance; voluntary performance earns an 自动履行证明书; default →
guidance to apply for enforcement (if the agreement was judicially confirmed) or to sue.

The handling org follows it while the case stands resolved (``policy.FULFIL``). Each write runs
in one transaction with the case row locked, moves the case's version (a stale form is refused,
the same form sent twice is recognised) and writes a timeline and an audit event. The reminder
sweep reads only the open obligations that have come due (a partial index), so its cost grows
with what is due, not with what is open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.disputes.disclosure import Disclosure
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.policy import FULFIL, FULFILMENT_STATES, OTHER_SIDES
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import (
    authorize,
    case_url,
    check_version,
    lock_case,
)
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.documents.services import DocumentRefused, document_issue
from fengqiao.mediation.choices import PERFORMANCE_OPEN, MediationAction, PerformanceStatus
from fengqiao.mediation.models import Agreement, PerformanceItem, PerformanceRecord
from fengqiao.mediation.services import evidence_check, evidence_store, record_write
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import Message, notify_many, users_by_org

# The largest amount one obligation may hold: above it is a mistyped figure, not a dispute.
AMOUNT_MAX = Decimal("100000000000")
# How far after the agreement a performance deadline may lie (instalments over years happen;
# a century is a typo).
DUE_WITHIN = timedelta(days=366 * 10)
REMIND_DAYS_DEFAULT = 3

# Whether an agreement was judicially confirmed decides which way a party in default is shown
# (enforcement or a lawsuit). The court app, above this one, answers from its AppConfig.ready;
# until it has, the answer is unknown and the guidance says both ways, never "not confirmed".
_confirmed_lookup: list[Callable[[Case], bool | None]] = []


def register_confirmation_lookup(lookup: Callable[[Case], bool | None]) -> None:
    _confirmed_lookup[:] = [lookup]


def agreement_confirmed(case: Case) -> bool | None:
    """True when the agreement was confirmed by a court ruling, False when not, None unknown."""
    return _confirmed_lookup[0](case) if _confirmed_lookup else None


def default_guidance(case: Case) -> str:
    """What the party owed performance is told to do when the other side defaults."""
    confirmed = agreement_confirmed(case)
    enforce = _(
        "该调解协议已经人民法院司法确认，一方拒绝履行或者未全部履行的，对方当事人可以向作出"
        "确认裁定的人民法院申请强制执行（《人民调解法》第三十三条）。"
    )
    sue = _(
        "该调解协议未经司法确认，一方不履行的，对方当事人可以就调解协议的履行或者调解协议的"
        "内容向人民法院提起诉讼（《人民调解法》第三十二条）；调解组织应当督促履行并做好回访。"
    )
    if confirmed is True:
        return enforce
    if confirmed is False:
        return sue
    return _("如协议已经司法确认：%(enforce)s 如未经司法确认：%(sue)s") % {
        "enforce": enforce,
        "sue": sue,
    }


def remind_days() -> int:
    return int(getattr(settings, "FENGQIAO_PERFORMANCE_REMIND_DAYS", REMIND_DAYS_DEFAULT))


def _lock_for_fulfilment(
    actor: Any,
    case_id: int,
    version: int | None,
    action: str,
    *,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[Case, Agreement]:
    case = lock_case(actor, case_id)
    # ``action``: what the write's timeline entry says (a double submit is recognised by it).
    check_version(case, actor, action, version, note=note, data=data)
    if case.status not in FULFILMENT_STATES:
        raise CaseRuleError(_("只有调解成功、尚未归档的案件可以登记履行情况。"))
    authorize(actor, case, OTHER_SIDES[FULFIL])
    agreement = Agreement.objects.filter(case=case).first()
    if agreement is None:
        raise CaseRuleError(_("本案没有调解协议，无须登记履行情况。"))
    return case, agreement


def _agreement_day(agreement: Agreement) -> date:
    return timezone.localdate(agreement.concluded_at)


def _check_amount(amount: Decimal | None, what: str) -> None:
    if amount is not None and not Decimal("0") < amount <= AMOUNT_MAX:
        raise CaseRuleError(_("%(what)s应大于0且不超过1000亿元，请核对金额。") % {"what": what})


def performance_item_add(
    *,
    actor: Any,
    case_id: int,
    obligor_id: int,
    description: str,
    due_date: date,
    amount: Decimal | None = None,
    version: int | None = None,
) -> PerformanceItem:
    """登记履行事项 — one obligation of the agreement: who, what, how much, by when."""
    description = description.strip()
    if not description:
        raise CaseRuleError(_("请填写履行内容。"))
    _check_amount(amount, _("履行金额"))
    data = {
        "obligor": obligor_id,
        "description": description,
        "due_date": due_date.isoformat(),
        "amount": str(amount) if amount is not None else None,
    }
    with transaction.atomic():
        case, agreement = _lock_for_fulfilment(
            actor, case_id, version, MediationAction.PERFORMANCE_ITEM, data=data
        )
        obligor = Party.objects.filter(case=case, pk=obligor_id).first()
        if obligor is None:
            raise CaseRuleError(_("履行义务人须是本案当事人。"))
        signed = _agreement_day(agreement)
        if not signed <= due_date <= signed + DUE_WITHIN:
            raise CaseRuleError(
                _("履行期限应在协议达成之日（%(day)s）至其后十年之间。") % {"day": signed}
            )
        item = PerformanceItem.objects.create(
            case=case,
            obligor=obligor,
            description=description[:200],
            amount=amount,
            due_date=due_date,
            created_by=actor,
        )
        record_write(
            case,
            actor=actor,
            action=MediationAction.PERFORMANCE_ITEM,
            event_type=EventType.MEDIATION_PERFORMANCE,
            obj=item,
            note=description,
            data={**data, "item": item.pk},
        )
    return item


def _item_case_id(item_id: int) -> int:
    case_id = PerformanceItem.objects.filter(pk=item_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseRuleError(_("该履行事项不存在。"))
    return int(case_id)


def performance_record(
    *,
    actor: Any,
    item_id: int,
    happened_on: date,
    amount: Decimal | None = None,
    note: str = "",
    proof: IO[bytes] | None = None,
    proof_name: str = "",
    proof_size: int = 0,
    version: int | None = None,
) -> PerformanceRecord:
    """登记履行 — a payment (or the act owed) with its proof: a receipt, a transfer record or
    a photo (kept as the case's evidence), or a note saying how it was witnessed. A payment
    never exceeds what is outstanding; reaching it makes the obligation 已履行, less makes it
    部分履行."""
    note = note.strip()
    if proof is None and not note:
        raise CaseRuleError(
            _("请上传履行凭证，或在说明中写明履行经过（如当面交付、双方签字确认）。")
        )
    _check_amount(amount, _("本次履行金额"))
    checked = (
        evidence_check(file=proof, name=proof_name, size=proof_size) if proof is not None else None
    )
    case_id = _item_case_id(item_id)
    data = {
        "item": item_id,
        "happened_on": happened_on.isoformat(),
        "amount": str(amount) if amount is not None else None,
        "proof": checked.original_sha256 if checked is not None else None,
    }
    with transaction.atomic():
        case, agreement = _lock_for_fulfilment(
            actor, case_id, version, MediationAction.PERFORMANCE, note=note or None, data=data
        )
        item = PerformanceItem.objects.select_for_update().get(pk=item_id, case=case)
        if item.status == PerformanceStatus.PERFORMED:
            raise CaseRuleError(_("该事项已履行完毕。"))
        if happened_on > timezone.localdate():
            raise CaseRuleError(_("履行日期不能晚于今天。"))
        if happened_on < _agreement_day(agreement):
            raise CaseRuleError(_("履行日期不能早于协议达成之日。"))
        if item.amount is not None:
            if amount is None:
                raise CaseRuleError(_("该事项为金钱给付，请填写本次履行金额。"))
            outstanding = item.amount - item.performed_amount
            if amount > outstanding:
                raise CaseRuleError(
                    _("本次履行金额超过尚未履行的%(left)s元。") % {"left": outstanding}
                )
            item.performed_amount += amount
            complete = item.performed_amount >= item.amount
        else:
            complete = True
        proof_row = None
        if checked is not None:
            proof_row = evidence_store(
                case=case,
                actor=actor,
                checked=checked,
                name=proof_name,
                title=_("履行凭证：%(what)s") % {"what": item.description},
            )
        if complete:
            item.status, item.performed_on = PerformanceStatus.PERFORMED, happened_on
        elif item.status != PerformanceStatus.DEFAULTED:
            item.status = PerformanceStatus.PARTIAL
        item.save(update_fields=["performed_amount", "status", "performed_on"])
        record = PerformanceRecord.objects.create(
            item=item,
            kind=PerformanceRecord.Kind.PERFORMED,
            amount=amount,
            happened_on=happened_on,
            proof=proof_row,
            note=note,
            recorded_by=actor,
        )
        record_write(
            case,
            actor=actor,
            action=MediationAction.PERFORMANCE,
            event_type=EventType.MEDIATION_PERFORMANCE,
            obj=record,
            note=note or item.description,
            data={**data, "status": item.status},
        )
    return record


def performance_default(
    *, actor: Any, item_id: int, note: str, version: int | None = None
) -> PerformanceRecord:
    """登记未按期履行 — after the deadline passed with the obligation unmet: the party owed is
    told where to turn (``default_guidance``), the record says so, the 属地 platform is told,
    and the case stays on the follow-up list (no 自动履行证明书 for it)."""
    note = note.strip()
    if not note:
        raise CaseRuleError(_("请写明未履行的情况（如经催告仍未履行）。"))
    case_id = _item_case_id(item_id)
    with transaction.atomic():
        case, _agreement = _lock_for_fulfilment(
            actor,
            case_id,
            version,
            MediationAction.PERFORMANCE_DEFAULT,
            note=note,
            data={"item": item_id},
        )
        item = PerformanceItem.objects.select_for_update().get(pk=item_id, case=case)
        if item.status not in PERFORMANCE_OPEN:
            raise CaseRuleError(_("只有待履行或部分履行的事项可以登记未按期履行。"))
        today = timezone.localdate()
        if today <= item.due_date:
            raise CaseRuleError(
                _("履行期限（%(due)s）尚未届满，不能登记未按期履行。") % {"due": item.due_date}
            )
        guidance = default_guidance(case)
        item.status = PerformanceStatus.DEFAULTED
        item.save(update_fields=["status"])
        record = PerformanceRecord.objects.create(
            item=item,
            kind=PerformanceRecord.Kind.DEFAULT,
            happened_on=today,
            note=f"{note}\n{guidance}",
            recorded_by=actor,
        )
        record_write(
            case,
            actor=actor,
            action=MediationAction.PERFORMANCE_DEFAULT,
            event_type=EventType.MEDIATION_PERFORMANCE,
            obj=record,
            note=note,
            data={"item": item_id, "guidance": guidance},
        )
        by_org = users_by_org([case.platform_id])
        notify_many(
            [
                Message(
                    by_org[case.platform_id],
                    NotificationKind.PERFORMANCE,
                    _("%(number)s 调解协议未按期履行") % {"number": case.number},
                    f"{item.description}：{note}",
                    case_url(case),
                    case,
                )
            ]
        )
    return record


@dataclass(frozen=True)
class CertificateState:
    """Whether the 自动履行证明书 can be issued, and if not why (shown on the case page)."""

    ready: bool
    reason: str


def certificate_state(case: Case, items: list[PerformanceItem] | None = None) -> CertificateState:
    """Every obligation performed and none ever recorded in default: the parties performed of
    their own accord (自动履行)."""
    if items is None:
        items = list(PerformanceItem.objects.filter(case=case))
    if not items:
        return CertificateState(False, _("尚未登记履行事项。"))
    if any(i.status != PerformanceStatus.PERFORMED for i in items):
        return CertificateState(False, _("尚有未履行完毕的事项。"))
    defaulted = PerformanceRecord.objects.filter(
        item__case=case, kind=PerformanceRecord.Kind.DEFAULT
    ).exists()
    if defaulted:
        return CertificateState(False, _("有事项曾登记未按期履行，不属于自动履行。"))
    return CertificateState(True, "")


def _day(day: date | None) -> str:
    return day.strftime("%Y年%m月%d日") if day else ""


def certificate_context(
    case: Case,
    agreement: Agreement,
    items: list[PerformanceItem],
    parties: list[Party],
    shown: Disclosure | None = None,
) -> dict[str, Any]:
    """What the 自动履行证明书 says: the agreement, each obligation and when it was performed
    (the names in full unless ``shown`` masks them). The certificate and its copy in the 案卷
    are both rendered from it."""

    def name(party: Party) -> str:
        return shown.name(party.name, party.kind) if shown else party.name

    return {
        "case_number": case.number,
        "agreement_day": _day(_agreement_day(agreement)),
        "terms": agreement.terms,
        "parties": [(p.get_role_display(), name(p)) for p in parties],
        "items": [
            {
                "obligor": name(i.obligor),
                "description": i.description,
                "amount": i.amount,
                "due_date": _day(i.due_date),
                "performed_on": _day(i.performed_on),
            }
            for i in items
        ],
    }


def performance_certificate_issue(
    *, actor: Any, case_id: int, version: int | None = None
) -> IssuedDocument:
    """出具自动履行证明书 — once every obligation was performed of the parties' own accord; a
    PDF with its verification code (and the issuing committee's signature, when the documents
    engine signs this type)."""
    with transaction.atomic():
        case, agreement = _lock_for_fulfilment(
            actor,
            case_id,
            version,
            MediationAction.PERFORMANCE_CERTIFICATE,
            data={"certificate": True},
        )
        items = list(PerformanceItem.objects.filter(case=case).select_related("obligor"))
        state = certificate_state(case, items)
        if not state.ready:
            raise CaseRuleError(_("不能出具自动履行证明书：%(why)s") % {"why": state.reason})
        if case.handling_org is None:
            raise CaseRuleError(_("本案没有承办单位，不能出具证明书。"))
        parties = list(Party.objects.filter(case=case).order_by("role", "pk"))
        try:
            document = document_issue(
                actor=actor,
                doc_type=DocumentType.PERFORMANCE_CERTIFICATE,
                case_number=case.number,
                issuer_org=case.handling_org,
                context=certificate_context(case, agreement, items, parties),
                party_names=[p.name for p in parties],
            )
        except DocumentRefused as refused:
            # No valid signing certificate: the mediator is told who must upload one.
            raise CaseRuleError(str(refused)) from refused
        record_write(
            case,
            actor=actor,
            action=MediationAction.PERFORMANCE_CERTIFICATE,
            event_type=EventType.MEDIATION_PERFORMANCE,
            obj=case,
            note=_("出具自动履行证明书"),
            data={"certificate": True, "document": document.public_id},
        )
    return document


@dataclass(frozen=True)
class RemindResult:
    reminded: int
    overdue: int


def performance_remind(*, today: date | None = None) -> RemindResult:
    """The daily sweep: the handling org is reminded of each open obligation a few days before
    its deadline (``FENGQIAO_PERFORMANCE_REMIND_DAYS``), and told — with the 属地 platform —
    once the deadline has passed. Each message is sent once: the rows are locked (others
    skipped) and marked in the same transaction, so two sweeps at once send nothing twice."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=remind_days())
    open_due = PerformanceItem.objects.filter(status__in=PERFORMANCE_OPEN, due_date__lte=horizon)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            open_due.filter(
                Q(reminded_at__isnull=True)
                | Q(overdue_notified_at__isnull=True, due_date__lt=today)
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("case")
            .order_by("due_date", "pk")
        )
        orgs = {r.case.handling_org_id for r in rows} | {r.case.platform_id for r in rows}
        by_org = users_by_org([o for o in orgs if o is not None])
        messages: list[Message] = []
        reminded: list[int] = []
        overdue: list[int] = []
        for item in rows:
            case = item.case
            staff = by_org.get(case.handling_org_id, []) if case.handling_org_id else []
            if item.due_date < today and item.overdue_notified_at is None:
                overdue.append(item.pk)
                messages.append(
                    Message(
                        [*staff, *by_org.get(case.platform_id, [])],
                        NotificationKind.PERFORMANCE,
                        _("%(number)s 履行期限已过：%(what)s")
                        % {
                            "number": case.number,
                            "what": item.description,
                        },
                        _("履行期限为%(due)s，请核实履行情况，未履行的登记未按期履行。")
                        % {"due": item.due_date},
                        case_url(case),
                        case,
                    )
                )
            elif item.reminded_at is None and item.due_date >= today:
                reminded.append(item.pk)
                messages.append(
                    Message(
                        staff,
                        NotificationKind.PERFORMANCE,
                        _("%(number)s 履行期限将至：%(what)s")
                        % {
                            "number": case.number,
                            "what": item.description,
                        },
                        _("履行期限为%(due)s，请提醒义务人按期履行。") % {"due": item.due_date},
                        case_url(case),
                        case,
                    )
                )
        notify_many(messages)
        # A reminder is not sent after the deadline passed: the overdue notice says more.
        PerformanceItem.objects.filter(pk__in=reminded + overdue, reminded_at__isnull=True).update(
            reminded_at=now
        )
        PerformanceItem.objects.filter(pk__in=overdue).update(overdue_notified_at=now)
    return RemindResult(reminded=len(reminded), overdue=len(overdue))
