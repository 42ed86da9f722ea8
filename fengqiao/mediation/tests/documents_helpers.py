"""Cases holding every document of the set, built through the services as a mediator would."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone

from fengqiao.disputes.models import Case
from fengqiao.disputes.services.outcomes import case_archive, case_reject
from fengqiao.disputes.tests.factories import assessed_case, consent_and_notify
from fengqiao.mediation import services
from fengqiao.mediation.choices import AgreementKind, SessionMode
from fengqiao.mediation.outcomes import case_agree, case_fail, follow_up_record
from fengqiao.mediation.tests.factories import accepted_case, png_bytes

SESSION_RECORD = "申请人称被申请人修建排水沟致其院墙渗水；被申请人称排水沟系旧有。"


def mediated_case(cast: Any, world: Any, *, sessions: int = 1) -> Case:
    """An accepted case of 东村 with consent, the rights notice and ``sessions`` sessions."""
    case = accepted_case(cast=cast, world=world)
    consent_and_notify(case, cast.mediator_east)
    start = timezone.now() - timedelta(days=sessions + 1)
    for n in range(sessions):
        services.session_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            held_at=start + timedelta(days=n),
            mode=SessionMode.IN_PERSON,
            place="东村村委会调解室",
            attendees="双方当事人及村民代表王五",
            record=f"第{n + 1}次调解。\n{SESSION_RECORD}",
            outcome="双方同意继续协商" if n + 1 < sessions else "双方达成一致意见",
        )
    return Case.objects.get(pk=case.pk)


def resolved_case(cast: Any, world: Any, *, sessions: int = 4, follow_ups: int = 2) -> Case:
    """A case with ten documents: 申请书, 告知书, four 调解笔录, the written 调解协议书, the
    evidence list and two 回访记录."""
    case = mediated_case(cast, world, sessions=sessions)
    photo = png_bytes()
    services.evidence_upload(
        actor=cast.mediator_east,
        case_id=case.pk,
        file=io.BytesIO(photo),
        name="院墙渗水照片.png",
        size=len(photo),
        title="院墙渗水照片",
    )
    case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.WRITTEN,
        facts="双方系东村相邻住户，被申请人修建的排水沟致申请人院墙渗水。",
        disputed_points="排水沟是否导致渗水及赔偿数额。",
        responsibilities="被申请人承担主要责任。",
        terms="被申请人于十日内改建排水沟。\n被申请人赔偿申请人修缮费二千元。",
        performance_method="现金支付",
        performance_place="东村村委会",
        performance_deadline=timezone.localdate() + timedelta(days=10),
    )
    for n in range(follow_ups):
        follow_up_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            satisfaction=5 - n,
            comment=f"第{n + 1}次回访：协议已履行，双方关系缓和。",
        )
    return Case.objects.get(pk=case.pk)


def oral_case(cast: Any, world: Any) -> Case:
    case = mediated_case(cast, world)
    case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.ORAL,
        terms="被申请人当场赔付申请人五百元。",
    )
    return Case.objects.get(pk=case.pk)


def failed_case(cast: Any, world: Any) -> Case:
    case = mediated_case(cast, world)
    case_fail(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        undisputed_facts="双方对排水沟于2026年5月修建无异议。",
        note="双方对赔偿数额分歧较大，调解不成",
    )
    return Case.objects.get(pk=case.pk)


def rejected_case(cast: Any, world: Any) -> Case:
    case = assessed_case(cast=cast, world=world)
    case_reject(
        actor=cast.dispatcher,
        case_id=case.pk,
        version=None,
        reason="该纠纷已由人民法院立案受理",
        receiver="测试区人民法院",
    )
    return Case.objects.get(pk=case.pk)


def archived_case(cast: Any, world: Any) -> Case:
    case = resolved_case(cast, world)
    case_archive(actor=cast.mediator_east, case_id=case.pk, version=None)
    return Case.objects.get(pk=case.pk)
