"""Judicial confirmation (司法确认), issue 14 item 5: filing on the spot and its refusals (day 31,
excluded matters, wrong court, intermediate court, one side applying alone), the court's
deadlines on the deadline engine, acceptance, 不予受理, extension with a recorded approval, the
ruling in both variants with its 民事裁定书, and the 送达回证."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.conftest import _org
from fengqiao.court.confirmation_policy import competent_court
from fengqiao.court.models.confirmation import (
    Confirmation,
    ConfirmationStatus,
    FlagCode,
    ServiceMethod,
)
from fengqiao.court.services.confirmation import (
    confirmation_accept,
    confirmation_extend,
    confirmation_refuse,
    confirmation_rule,
    filing_deadline,
    flag_acknowledge,
    receipt_record,
    time_limit_refusal,
)
from fengqiao.court.tests.confirmation_helpers import file, png, resolved_case
from fengqiao.disputes.choices import IntakeChannel, PartyRole, PeriodUnit
from fengqiao.disputes.deadlines import Period, next_working_day_if_off, period_end
from fengqiao.disputes.models import Case, TimelineEvent
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.tests.factories import staff
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.services import document_pdf
from fengqiao.mediation.models import Agreement

SHANGHAI = ZoneInfo("Asia/Shanghai")


# Rulings and 自动履行证明书 are issued signed: the world's orgs hold signing certificates.
pytestmark = pytest.mark.usefixtures("signing_credentials")


def _text(document: Any) -> str:
    reader = PdfReader(io.BytesIO(document_pdf(document)))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


# --- Filing -------------------------------------------------------------------------------------


def test_the_mediator_files_for_both_parties_with_the_competent_court(
    cast: Any, world: Any
) -> None:
    case = resolved_case(cast, world)
    # The tribunal paired with 东村's committee is where the application goes.
    assert competent_court(case) == world.tribunal_a
    c = file(case, cast.mediator_east, world.tribunal_a)
    assert c.status == ConfirmationStatus.PENDING
    assert c.court == world.tribunal_a
    assert c.filed_org == world.committee_east
    assert {p.name for p in c.applicants.all()} == {"张三", "李四"}
    # took effect = the agreement's concluded_at; acceptance due 3 days after filing
    assert c.effective_at == Agreement.objects.get(case=case).concluded_at
    assert c.accept_due_at == period_end(c.filed_at, Period(PeriodUnit.DAYS, 3))
    # the 司法确认申请书 is issued, with the agreement's terms and the court it is addressed to
    assert c.application_document.doc_type == DocumentType.CONFIRMATION_APPLICATION
    text = _text(c.application_document)
    assert "司法确认申请书" in text
    assert "李四于十日内疏通排水沟" in text
    assert world.tribunal_a.name in text
    assert TimelineEvent.objects.filter(case=case, action="confirmation_file").exists()
    assert AuditEvent.objects.filter(event_type=EventType.CONFIRMATION_FILED).exists()


def test_day_30_is_in_time_and_day_31_is_not(db: None) -> None:
    # Took effect on Monday 2 March 2026: day 30 is Wednesday 1 April, a working day.
    effective = datetime(2026, 3, 2, 15, 0, tzinfo=SHANGHAI)
    assert timezone.localtime(filing_deadline(effective)).date().isoformat() == "2026-04-01"
    assert time_limit_refusal(effective, datetime(2026, 4, 1, 23, 0, tzinfo=SHANGHAI)) is None
    refusal = time_limit_refusal(effective, datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI))
    assert refusal is not None
    assert "第三十三条" in refusal
    assert "2026年04月01日" in refusal
    # A day 30 on a holiday (国庆 2026: 1-7 October) runs to the next working day (民法典 art. 203).
    effective = datetime(2026, 9, 2, 10, 0, tzinfo=SHANGHAI)
    assert timezone.localtime(filing_deadline(effective)).date().isoformat() == "2026-10-08"


def test_an_application_after_30_days_is_refused_with_the_reason(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world, registered_days_ago=90)
    Agreement.objects.filter(case=case).update(concluded_at=timezone.now() - timedelta(days=45))
    with pytest.raises(CaseRuleError, match="三十日内申请司法确认"):
        file(case, cast.mediator_east, world.tribunal_a)
    assert not Confirmation.objects.exists()


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ("involves_identity", "确认身份关系"),
        ("involves_adoption", "收养关系"),
        ("involves_marriage", "婚姻关系"),
    ],
)
def test_excluded_matters_are_refused_at_filing(
    answer: str, words: str, cast: Any, world: Any
) -> None:
    case = resolved_case(cast, world)
    with pytest.raises(CaseRuleError, match=words):
        file(case, cast.mediator_east, world.tribunal_a, **{answer: True})
    assert not Confirmation.objects.exists()


def test_an_administrative_dispute_is_refused_by_its_category(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    Case.objects.filter(pk=case.pk).update(category="administrative")
    with pytest.raises(CaseRuleError, match="行政争议"):
        file(case, cast.mediator_east, world.tribunal_a)


def test_the_wrong_court_is_refused_naming_the_competent_one(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    tribunal_b = _org("乙镇人民法庭", "tribunal", world.town_b, world.court)
    with pytest.raises(CaseRuleError, match=r"乙镇人民法庭对本案无管辖权.*甲镇人民法庭"):
        file(case, cast.mediator_east, tribunal_b)
    # The basic court itself (the tribunal's court) is the same court.
    assert file(case, cast.mediator_east, world.court).court == world.court


def test_a_dispute_for_the_intermediate_court_is_refused(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    Case.objects.filter(pk=case.pk).update(amount=Decimal("600000000"))
    with pytest.raises(CaseRuleError, match="中级人民法院"):
        file(case, cast.mediator_east, world.tribunal_a)


def test_a_referred_case_goes_to_the_referring_court(cast: Any, world: Any) -> None:
    # 乙镇's tribunal referred (委派) the dispute that 东村's committee mediated
    case = resolved_case(cast, world)
    tribunal_b = _org("乙镇人民法庭", "tribunal", world.town_b, world.court)
    Case.objects.filter(pk=case.pk).update(channel=IntakeChannel.COURT_PRE, source_org=tribunal_b)
    case.refresh_from_db()
    assert competent_court(case) == tribunal_b
    # so the tribunal paired with the village is not the court for it
    with pytest.raises(CaseRuleError, match=r"甲镇人民法庭对本案无管辖权.*委派"):
        file(case, cast.mediator_east, world.tribunal_a)
    assert file(case, cast.mediator_east, tribunal_b).court == tribunal_b


def test_both_sides_must_apply(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    applicant = case.parties.get(role=PartyRole.APPLICANT)
    with pytest.raises(CaseRuleError, match="双方当事人共同申请"):
        file(case, cast.mediator_east, world.tribunal_a, applicant_ids=[applicant.pk])


def test_only_the_handling_mediator_files_and_only_once(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world)
    for outsider in (cast.mediator_west, cast.judge, cast.dispatcher):
        with pytest.raises(PermissionDenied):
            file(case, outsider, world.tribunal_a)
    file(case, cast.mediator_east, world.tribunal_a)
    with pytest.raises(CaseRuleError, match="不能重复申请"):
        file(case, cast.mediator_east, world.tribunal_a)


# --- The court's decisions ----------------------------------------------------------------------


def test_acceptance_numbers_the_case_and_starts_the_15_days(cast: Any, world: Any) -> None:
    c = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    # Neither the mediator nor a judge of another court accepts it.
    other_judge = staff(
        "judge_b", BuiltinRole.JUDGE, _org("乙镇人民法庭", "tribunal", world.town_b, world.court)
    )
    for outsider in (cast.mediator_east, other_judge):
        with pytest.raises(PermissionDenied):
            confirmation_accept(actor=outsider, confirmation_id=c.pk)
    c = confirmation_accept(actor=cast.court_clerk, confirmation_id=c.pk)
    year = timezone.localdate().year
    assert c.number == f"（{year}）甲镇人民法庭民特1号"
    assert c.status == ConfirmationStatus.ACCEPTED
    assert c.rule_due_at == period_end(c.accepted_at, Period(PeriodUnit.DAYS, 15))


def test_the_extension_is_10_days_once_with_the_approval_recorded(cast: Any, world: Any) -> None:
    c = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    c = confirmation_accept(actor=cast.judge, confirmation_id=c.pk)
    with pytest.raises(CaseRuleError, match="批准人"):
        confirmation_extend(actor=cast.judge, confirmation_id=c.pk, approver="", reason="案情复杂")
    c = confirmation_extend(
        actor=cast.judge, confirmation_id=c.pk, approver="王院长", reason="需要通知当事人补充陈述"
    )
    # 10 days on from the end of the 15 (a day off at the end moves it on): docs/court.md.
    assert c.rule_due_at == next_working_day_if_off(
        period_end(c.accepted_at, Period(PeriodUnit.DAYS, 15)) + timedelta(days=10)
    )
    assert (c.extension_approver, c.extended_by) == ("王院长", cast.judge)
    with pytest.raises(PermissionDenied):
        confirmation_extend(
            actor=cast.judge, confirmation_id=c.pk, approver="王院长", reason="再延"
        )


def test_not_accepted_with_a_notice(cast: Any, world: Any) -> None:
    c = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    with pytest.raises(CaseRuleError):
        confirmation_refuse(actor=cast.judge, confirmation_id=c.pk, reasons=" ")
    c = confirmation_refuse(
        actor=cast.judge, confirmation_id=c.pk, reasons="调解协议内容涉及物权确权。"
    )
    assert c.status == ConfirmationStatus.NOT_ACCEPTED
    assert c.decision_document.doc_type == DocumentType.CONFIRMATION_NOT_ACCEPTED
    text = _text(c.decision_document)
    assert "不予受理通知书" in text
    assert "物权确权" in text
    # The case may be filed again (a refused application does not stand).
    c2 = file(Case.objects.get(pk=c.case_id), cast.mediator_east, world.tribunal_a)
    assert c2.status == ConfirmationStatus.PENDING


def test_the_judge_acknowledges_every_flag_before_ruling(cast: Any, world: Any) -> None:
    case = resolved_case(cast, world, registered_days_ago=0)  # same day: flagged
    c = file(case, cast.mediator_east, world.tribunal_a)
    flag = c.flags.get()
    assert flag.code == FlagCode.SAME_DAY
    c = confirmation_accept(actor=cast.judge, confirmation_id=c.pk)
    with pytest.raises(CaseRuleError, match="虚假调解筛查提示"):
        confirmation_rule(actor=cast.judge, confirmation_id=c.pk, confirmed=True, reasons="合法")
    # The clerk cannot acknowledge nor rule: the judge does.
    with pytest.raises(PermissionDenied):
        flag_acknowledge(actor=cast.court_clerk, flag_id=flag.pk, note="")
    flag = flag_acknowledge(actor=cast.judge, flag_id=flag.pk, note="已询问双方，纠纷真实。")
    assert flag.acknowledged_by == cast.judge
    assert flag.acknowledged_at is not None
    with pytest.raises(PermissionDenied):
        confirmation_rule(actor=cast.court_clerk, confirmation_id=c.pk, confirmed=True, reasons="x")
    c = confirmation_rule(
        actor=cast.judge,
        confirmation_id=c.pk,
        confirmed=True,
        reasons="调解协议系双方自愿达成，内容不违反法律规定。",
    )
    assert c.status == ConfirmationStatus.CONFIRMED
    text = _text(c.decision_document)
    assert "民事裁定书" in text
    assert c.number in text
    assert "张三" in text
    assert "李四" in text
    assert "调解协议有效" in text
    assert "李四于十日内疏通排水沟" in text
    assert "申请执行" in text


def test_a_rejected_ruling_says_so(cast: Any, world: Any) -> None:
    c = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    c = confirmation_accept(actor=cast.judge, confirmation_id=c.pk)
    c = confirmation_rule(
        actor=cast.judge,
        confirmation_id=c.pk,
        confirmed=False,
        reasons="调解协议损害案外人合法权益。",
    )
    assert c.status == ConfirmationStatus.REJECTED
    text = _text(c.decision_document)
    assert "驳回申请人" in text
    assert "案外人合法权益" in text
    assert "调解协议有效" not in text


def test_service_is_recorded_with_the_signature(cast: Any, world: Any) -> None:
    c = file(resolved_case(cast, world), cast.mediator_east, world.tribunal_a)
    party = c.case.parties.get(role=PartyRole.RESPONDENT)
    c = confirmation_accept(actor=cast.judge, confirmation_id=c.pk)
    drawn = png((480, 160))

    def serve(**extra: Any) -> Any:
        drawn.seek(0)
        return receipt_record(
            actor=cast.mediator_east,
            confirmation_id=c.pk,
            party_id=party.pk,
            method=ServiceMethod.SIGNATURE_PAD,
            file=drawn,
            name="signature.png",
            size=len(drawn.getvalue()),
            **extra,
        )

    with pytest.raises(PermissionDenied):  # nothing to serve before the ruling
        serve()
    confirmation_rule(actor=cast.judge, confirmation_id=c.pk, confirmed=True, reasons="合法有效")
    receipt = serve(place="东村村委会")
    assert (receipt.party, receipt.served_by) == (party, cast.mediator_east)
    assert receipt.method == ServiceMethod.SIGNATURE_PAD
    with pytest.raises(CaseRuleError, match="已记录"):
        serve()
    assert TimelineEvent.objects.filter(case=c.case, action="confirmation_serve").exists()


def test_a_confirmed_agreement_points_a_default_to_enforcement(cast: Any, world: Any) -> None:
    from fengqiao.documents.services import document_pdf
    from fengqiao.mediation.fulfilment import agreement_confirmed, default_guidance

    case = resolved_case(cast, world)
    # Before any ruling the court's answer is "not confirmed": a lawsuit.
    assert agreement_confirmed(case) is False
    assert "提起诉讼" in default_guidance(case)
    c = confirmation_accept(
        actor=cast.judge, confirmation_id=file(case, cast.mediator_east, world.tribunal_a).pk
    )
    c = confirmation_rule(
        actor=cast.judge, confirmation_id=c.pk, confirmed=True, reasons="内容合法，双方自愿。"
    )
    assert agreement_confirmed(case) is True
    guidance = default_guidance(case)
    assert "申请强制执行" in guidance
    assert "提起诉讼" not in guidance
    # And the ruling is signed by the court.
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    signatures = PdfFileReader(io.BytesIO(document_pdf(c.decision_document))).embedded_signatures
    assert len(signatures) == 1


def test_a_court_without_a_signing_certificate_cannot_rule_and_is_told_why(
    cast: Any, world: Any
) -> None:
    from fengqiao.documents.models import SigningCredential

    case = resolved_case(cast, world)
    c = confirmation_accept(
        actor=cast.judge, confirmation_id=file(case, cast.mediator_east, world.tribunal_a).pk
    )
    SigningCredential.objects.filter(org=world.tribunal_a).delete()
    with pytest.raises(CaseRuleError, match="证书"):
        confirmation_rule(actor=cast.judge, confirmation_id=c.pk, confirmed=True, reasons="合法")
    c.refresh_from_db()
    assert c.status == ConfirmationStatus.ACCEPTED
