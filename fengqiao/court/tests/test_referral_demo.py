"""The demo county holds court referrals in every state (issue 14, "Done when"), and the demo
tribunal's clerk finds each of its queue tabs filled; the room's mediator sees the period."""

from __future__ import annotations

from typing import Any

import pytest

from fengqiao.accounts.models import User
from fengqiao.court.models import CourtReferral, RosterMember
from fengqiao.court.models.referral import ReferralStatus, RosterStatus
from fengqiao.court.referral_policy import court_ids
from fengqiao.court.selectors.referral import mediating, pending_cases, sent, to_file
from fengqiao.web.tests.html import page_text

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def test_the_demo_county_holds_referrals_in_every_state() -> None:
    states = set(CourtReferral.objects.values_list("status", flat=True))
    assert states == set(ReferralStatus.values)
    assert CourtReferral.objects.filter(filed_at__isnull=False).exists()
    roster = set(RosterMember.objects.values_list("status", flat=True))
    assert {RosterStatus.APPROVED, RosterStatus.APPLIED, RosterStatus.REMOVED} <= roster


def test_the_demo_clerk_finds_every_tab_filled(client: Any) -> None:
    clerk = User.objects.get(username="clerk")
    courts = court_ids(clerk)
    for queue in (pending_cases, sent, mediating, to_file):
        assert queue(courts).exists(), queue.__name__
    client.force_login(clerk)
    text = page_text(client.get("/court/?tab=to_file"))
    assert "双方确认借款5万元已实际交付" in text
    # The mediator of the room sees the period on a case it mediates
    referral = CourtReferral.objects.filter(status=ReferralStatus.MEDIATING, court_id__in=courts)
    case_id = referral.values_list("case_id", flat=True).first()
    client.force_login(User.objects.get(username="mediator_court"))
    assert "调解期限" in page_text(client.get(f"/cases/{case_id}/"))
