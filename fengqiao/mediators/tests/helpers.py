"""What the mediators tests share: the demo county's accounts and orgs, and a round to work on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.mediators import services
from fengqiao.mediators.models import RecruitmentRound
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization


def user(name: str) -> User:
    return User.objects.get(username=name)


def org_of(username: str) -> Organization:
    grant = RoleGrant.objects.select_related("org__region").get(
        user__username=username, org__isnull=False
    )
    assert grant.org is not None
    return grant.org


def committee_inside(username: str) -> Organization:
    """A mediation committee in the region of ``username``'s org."""
    region = org_of(username).region
    found = (
        Organization.objects.filter(
            kind__family=OrgFamily.COMMITTEE, region__path__startswith=region.path
        )
        .select_related("region")
        .order_by("pk")
        .first()
    )
    assert found is not None
    return found


def committee_outside(username: str) -> Organization:
    """A mediation committee outside the region of ``username``'s org."""
    region = org_of(username).region
    found = (
        Organization.objects.filter(kind__family=OrgFamily.COMMITTEE)
        .exclude(region__path__startswith=region.path)
        .select_related("region")
        .order_by("pk")
        .first()
    )
    assert found is not None
    return found


def open_round(actor: Any, org: Organization, **kwargs: Any) -> RecruitmentRound:
    values: dict[str, Any] = {
        "year": timezone.localdate().year,
        "title": "测试选聘",
        "places": 2,
        "written_weight": 40,
        "interview_weight": 60,
        "pass_line": Decimal(75),
    }
    values.update(kwargs)
    return services.round_open(actor=actor, org=org, **values)


def id_number(seq: int) -> str:
    """A fictional, well-formed 身份证号 (the demo county's prefix)."""
    from fengqiao.demo.data import ID_PREFIX, id_check_digit

    body = f"{ID_PREFIX}19800101{900 + seq:03d}"
    return body + id_check_digit(body)


def applicant(
    actor: Any, found: RecruitmentRound, seq: int, written: str | None, interview: str | None
) -> Any:
    application = services.application_add(
        actor=actor,
        round_id=found.pk,
        name=f"报名人{seq}",
        gender="F",
        id_number=id_number(seq),
        phone="13800000000",
    )
    if written is not None and interview is not None:
        application = services.application_score(
            actor=actor,
            application_id=application.pk,
            written_score=Decimal(written),
            interview_score=Decimal(interview),
        )
    return application


def second_officer(username: str = "justice_second") -> User:
    """Another officer of the demo ``justice``'s 司法所, with the same role and scope: who
    approves a statement ``justice`` compiled (the compiler may not)."""
    from fengqiao.accounts.choices import BuiltinRole
    from fengqiao.accounts.tests.factories import UserFactory, grant

    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    officer = UserFactory(username=username, real_name="第二司法所干部")
    grant(officer, BuiltinRole.JUSTICE_OFFICER, org_of("justice"))
    return officer
