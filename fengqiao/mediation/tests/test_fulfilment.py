"""Fulfilment (履行) of an agreement: obligations, payments with proof, default with guidance,
the reminder sweep and the 自动履行证明书."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from fengqiao.disputes.choices import PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.outcomes import case_archive
from fengqiao.disputes.tests.factories import start_mediation
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.documents.services import document_pdf
from fengqiao.mediation import fulfilment
from fengqiao.mediation.choices import AgreementKind, PerformanceStatus
from fengqiao.mediation.fulfilment import (
    performance_certificate_issue,
    performance_default,
    performance_item_add,
    performance_record,
    performance_remind,
)
from fengqiao.mediation.models import Agreement, Evidence, PerformanceItem
from fengqiao.mediation.outcomes import case_agree
from fengqiao.mediation.tests.factories import accepted_case, png_bytes
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification

# Rulings and 自动履行证明书 are issued signed: the world's orgs hold signing certificates.
pytestmark = pytest.mark.usefixtures("signing_credentials")


def resolved_case(cast: Any, world: Any, *, agreed_days_ago: int = 0) -> Case:
    """东村's committee mediated the case to a written agreement ``agreed_days_ago`` days ago."""
    case = accepted_case(cast=cast, world=world)
    start_mediation(case, cast.mediator_east)
    case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.WRITTEN,
        facts="被申请人装修时损坏申请人院墙。",
        disputed_points="赔偿金额。",
        terms="被申请人赔偿申请人修墙费用三千元，分两期支付。",
    )
    if agreed_days_ago:
        Agreement.objects.filter(case=case).update(
            concluded_at=timezone.now() - timedelta(days=agreed_days_ago)
        )
    return Case.objects.get(pk=case.pk)


def respondent(case: Case) -> Party:
    return Party.objects.filter(case=case, role=PartyRole.RESPONDENT).first() or (
        Party.objects.filter(case=case).first()  # type: ignore[return-value]
    )


def add_item(
    case: Case, actor: Any, *, amount: str | None = "3000", due: date | None = None
) -> PerformanceItem:
    return performance_item_add(
        actor=actor,
        case_id=case.pk,
        obligor_id=respondent(case).pk,
        description="赔偿修墙费用",
        amount=Decimal(amount) if amount else None,
        due_date=due or timezone.localdate() + timedelta(days=10),
    )


def pay(item: PerformanceItem, actor: Any, amount: str | None, **kwargs: Any) -> Any:
    kwargs.setdefault("note", "当面交付，双方签字确认")
    return performance_record(
        actor=actor,
        item_id=item.pk,
        happened_on=kwargs.pop("happened_on", timezone.localdate()),
        amount=Decimal(amount) if amount else None,
        **kwargs,
    )


def test_the_handling_mediator_records_obligations_and_payments_to_completion(
    cast: Any, world: Any
) -> None:
    case = resolved_case(cast, world)
    item = add_item(case, cast.mediator_east)
    assert item.status == PerformanceStatus.PENDING

    pay(item, cast.mediator_east, "1000")
    item.refresh_from_db()
    assert (item.status, item.performed_amount) == (PerformanceStatus.PARTIAL, Decimal("1000"))
    assert item.outstanding == Decimal("2000")

    # More than what is outstanding is a typo, refused with what is left.
    with pytest.raises(CaseRuleError, match="2000"):
        pay(item, cast.mediator_east, "2500")

    pay(item, cast.mediator_east, "2000")
    item.refresh_from_db()
    assert item.status == PerformanceStatus.PERFORMED
    assert item.performed_on == timezone.localdate()
    with pytest.raises(CaseRuleError, match="已履行完毕"):
        pay(item, cast.mediator_east, "1")
    # Each write is on the case's timeline.
    actions = list(Case.objects.get(pk=case.pk).timeline.values_list("action", flat=True))
    assert actions.count("performance") == 2
    assert "performance_item" in actions


def test_a_proof_is_kept_as_the_cases_evidence(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    item = add_item(case, cast.mediator_east, amount=None)
    data = png_bytes()
    record = pay(
        item,
        cast.mediator_east,
        None,
        note="",
        proof=io.BytesIO(data),
        proof_name="收条.png",
        proof_size=len(data),
    )
    assert record.proof is not None
    proof = Evidence.objects.get(pk=record.proof.pk)
    assert proof.case_id == case.pk
    assert proof.title.startswith("履行凭证")
    item.refresh_from_db()
    assert item.status == PerformanceStatus.PERFORMED


def test_a_payment_without_proof_or_account_is_refused(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    item = add_item(case, cast.mediator_east)
    with pytest.raises(CaseRuleError, match="履行凭证"):
        pay(item, cast.mediator_east, "100", note="  ")
    # And a payment dated in the future.
    with pytest.raises(CaseRuleError, match="不能晚于今天"):
        pay(item, cast.mediator_east, "100", happened_on=timezone.localdate() + timedelta(days=1))


def test_a_fake_proof_is_refused_and_nothing_is_recorded(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    item = add_item(case, cast.mediator_east)
    fake = b"MZ\x90\x00 not a picture"
    with pytest.raises(CaseRuleError):
        pay(
            item,
            cast.mediator_east,
            "100",
            proof=io.BytesIO(fake),
            proof_name="收条.png",
            proof_size=len(fake),
        )
    item.refresh_from_db()
    assert item.performed_amount == 0
    assert not item.records.exists()


def test_obligations_are_bounded_by_the_agreement(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world, agreed_days_ago=5)
    with pytest.raises(CaseRuleError, match="协议达成之日"):
        add_item(case, cast.mediator_east, due=timezone.localdate() - timedelta(days=10))
    with pytest.raises(CaseRuleError, match="协议达成之日"):
        add_item(case, cast.mediator_east, due=timezone.localdate() + timedelta(days=366 * 11))
    with pytest.raises(CaseRuleError, match="金额"):
        add_item(case, cast.mediator_east, amount="0")
    # The obligor is a party of this case, not of another.
    other = resolved_case(cast, world)
    with pytest.raises(CaseRuleError, match="本案当事人"):
        performance_item_add(
            actor=cast.mediator_east,
            case_id=case.pk,
            obligor_id=respondent(other).pk,
            description="赔偿",
            due_date=timezone.localdate() + timedelta(days=3),
        )


def test_only_the_handling_side_of_a_resolved_case_records_fulfilment(
    cast: Any, world: Any
) -> None:
    case = resolved_case(cast, world)
    # Another village's mediator, the township dispatcher and the court do not.
    for outsider in (cast.mediator_west, cast.dispatcher, cast.judge):
        with pytest.raises(PermissionDenied):
            add_item(case, outsider)
    # A case still being mediated has nothing to perform yet.
    open_case = accepted_case(cast=cast, world=world)
    with pytest.raises(CaseRuleError, match="调解成功"):
        add_item(open_case, cast.mediator_east)


def test_default_after_the_deadline_gives_guidance_and_tells_the_platform(
    cast: Any, world: Any
) -> None:
    case = resolved_case(cast, world, agreed_days_ago=20)
    item = add_item(case, cast.mediator_east, due=timezone.localdate())
    # Not before the deadline has passed.
    with pytest.raises(CaseRuleError, match="尚未届满"):
        performance_default(actor=cast.mediator_east, item_id=item.pk, note="经催告未付")
    PerformanceItem.objects.filter(pk=item.pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )
    record = performance_default(actor=cast.mediator_east, item_id=item.pk, note="经催告未付")
    item.refresh_from_db()
    assert item.status == PerformanceStatus.DEFAULTED
    # Not confirmed by a court: the way is a lawsuit (人民调解法 art. 32); the 平安办 is told.
    assert "提起诉讼" in record.note
    notice = Notification.objects.get(recipient=cast.dispatcher, kind=NotificationKind.PERFORMANCE)
    assert case.number in notice.title
    # A party that defaulted and paid later did not perform of its own accord.
    pay(item, cast.mediator_east, "3000")
    item.refresh_from_db()
    assert item.status == PerformanceStatus.PERFORMED
    with pytest.raises(CaseRuleError, match="未按期履行"):
        performance_certificate_issue(actor=cast.mediator_east, case_id=case.pk)


def test_the_guidance_follows_the_courts_answer(
    cast: Any, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = resolved_case(cast, world)
    monkeypatch.setattr(fulfilment, "_confirmed_lookup", [lambda c: True])
    assert "申请强制执行" in fulfilment.default_guidance(case)
    assert "提起诉讼" not in fulfilment.default_guidance(case)
    monkeypatch.setattr(fulfilment, "_confirmed_lookup", [lambda c: False])
    assert "提起诉讼" in fulfilment.default_guidance(case)
    # With no court to answer, the guidance names both ways, never "not confirmed".
    monkeypatch.setattr(fulfilment, "_confirmed_lookup", [])
    unknown = fulfilment.default_guidance(case)
    assert "如协议已经司法确认" in unknown
    assert "提起诉讼" in unknown


def test_voluntary_full_performance_earns_the_certificate(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    with pytest.raises(CaseRuleError, match="尚未登记履行事项"):
        performance_certificate_issue(actor=cast.mediator_east, case_id=case.pk)
    first = add_item(case, cast.mediator_east, amount="1000")
    second = add_item(case, cast.mediator_east, amount=None)
    pay(first, cast.mediator_east, "1000")
    with pytest.raises(CaseRuleError, match="尚有未履行完毕"):
        performance_certificate_issue(actor=cast.mediator_east, case_id=case.pk)
    pay(second, cast.mediator_east, None)

    document = performance_certificate_issue(actor=cast.mediator_east, case_id=case.pk)
    assert document.doc_type == DocumentType.PERFORMANCE_CERTIFICATE
    assert document.issuer_org == world.committee_east
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(document_pdf(document))).pages)
    compact = "".join(text.split())
    assert "自动履行证明书" in compact
    assert "赔偿修墙费用" in compact
    assert case.number in compact
    # Filed (归档), the case's fulfilment record is closed.
    case_archive(actor=cast.mediator_east, case_id=case.pk, version=None)
    with pytest.raises(CaseRuleError, match="尚未归档"):
        add_item(case, cast.mediator_east)
    assert IssuedDocument.objects.filter(case_number=case.number).count() == 1


def test_the_sweep_reminds_before_the_deadline_and_tells_once_it_passed(
    cast: Any, world: Any
) -> None:
    case = resolved_case(cast, world, agreed_days_ago=30)
    soon = add_item(case, cast.mediator_east, due=timezone.localdate() + timedelta(days=2))
    later = add_item(case, cast.mediator_east, due=timezone.localdate() + timedelta(days=20))
    passed = add_item(case, cast.mediator_east, due=timezone.localdate() - timedelta(days=1))

    result = performance_remind()
    assert (result.reminded, result.overdue) == (1, 1)
    mine = Notification.objects.filter(recipient=cast.mediator_east, kind="performance")
    titles = sorted(mine.values_list("title", flat=True))
    assert any("将至" in t for t in titles)
    assert any("已过" in t for t in titles)
    # The platform hears of the passed deadline, not of the reminder.
    platform = Notification.objects.filter(recipient=cast.dispatcher, kind="performance")
    assert [t for t in platform.values_list("title", flat=True) if "已过" in t]
    assert not [t for t in platform.values_list("title", flat=True) if "将至" in t]

    # Run again (or by a second worker): nothing is sent twice.
    assert performance_remind() == fulfilment.RemindResult(reminded=0, overdue=0)
    # Days later the reminded item's deadline passes: now its overdue notice goes out, once.
    result = performance_remind(today=timezone.localdate() + timedelta(days=3))
    assert (result.reminded, result.overdue) == (0, 1)
    soon.refresh_from_db()
    later.refresh_from_db()
    passed.refresh_from_db()
    assert soon.overdue_notified_at is not None
    assert later.reminded_at is None


def test_a_performed_item_is_never_reminded(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    item = add_item(case, cast.mediator_east, due=timezone.localdate() + timedelta(days=1))
    pay(item, cast.mediator_east, "3000")
    assert performance_remind() == fulfilment.RemindResult(reminded=0, overdue=0)
