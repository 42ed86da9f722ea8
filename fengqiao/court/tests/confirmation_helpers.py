"""Shared steps for the confirmation tests: a case of 东村 mediated to a written agreement, the
agreement scan, a filed application."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone
from PIL import Image

from fengqiao.court.models.confirmation import Confirmation
from fengqiao.court.services.confirmation import confirmation_file
from fengqiao.disputes.models import Case
from fengqiao.disputes.tests.factories import handled_case, start_mediation
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.outcomes import case_agree


def png(size: tuple[int, int] = (40, 20)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    out.seek(0)
    out.name = "协议扫描件.png"
    return out


def resolved_case(cast: Any, world: Any, *, registered_days_ago: int = 10) -> Case:
    """A 东村 case (张三 v 李四) accepted by 东村's committee and resolved by a written agreement
    today; registered ``registered_days_ago`` days ago (0: registered today, as the factories
    do — which the same-day screening rule flags)."""
    case = handled_case(cast, world)
    if registered_days_ago:
        Case.objects.filter(pk=case.pk).update(
            registered_at=timezone.now() - timedelta(days=registered_days_ago)
        )
    case = start_mediation(case, cast.mediator_east)
    return case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.WRITTEN,
        terms="李四于十日内疏通排水沟。\n李四赔偿张三损失五百元。",
        facts="双方因排水沟堵塞发生纠纷。",
        disputed_points="排水沟疏通责任与损失赔偿。",
    )


def file(case: Case, actor: Any, court: Any, **overrides: Any) -> Confirmation:
    scan = png()
    kwargs: dict[str, Any] = {
        "actor": actor,
        "case_id": case.pk,
        "court_id": court.pk,
        "applicant_ids": list(case.parties.values_list("pk", flat=True)),
        "involves_identity": False,
        "involves_adoption": False,
        "involves_marriage": False,
        "scan": scan,
        "scan_name": "协议扫描件.png",
        "scan_size": len(scan.getvalue()),
    }
    kwargs.update(overrides)
    return confirmation_file(**kwargs)
