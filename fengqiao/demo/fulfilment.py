"""The demo county's fulfilment (履行): resolved cases of the committees that have a demo account,
each with its agreement's obligations in one of the states a mediator meets — to be performed,
partly paid, performed with the 自动履行证明书 issued, in default with the guidance given, and
past its deadline with nothing recorded yet (what the morning reminder is about).

Written through the same services as the pages (the demo accounts act), so every record has its
timeline entry, audit event and notice."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.demo.accounts import DEMO_USERNAMES
from fengqiao.disputes.choices import CaseStatus, PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.policy import FULFIL, case_may
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.fulfilment import (
    performance_certificate_issue,
    performance_default,
    performance_item_add,
    performance_record,
)
from fengqiao.notify.services import users_by_org

# Each demo case gets the next of these, in turn.
STATES = ("pending", "partial", "performed", "defaulted", "overdue")
CASES_MAX = 15


@dataclass(frozen=True)
class FulfilmentSummary:
    cases: int
    items: int
    certificates: int


def demo_fulfilment_seed(*, seed: int, today: date | None = None) -> FulfilmentSummary:
    """Obligations on up to ``CASES_MAX`` resolved cases whose agreement is at least two weeks
    old (so a deadline can have passed), handled by an org one of whose users is a mediator."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    candidates = list(
        Case.objects.filter(
            status=CaseStatus.RESOLVED,
            agreement__kind=AgreementKind.WRITTEN,
            agreement__concluded_at__lt=timezone.now() - timedelta(days=14),
            handling_org__isnull=False,
        )
        .exclude(performance_items__isnull=False)
        .select_related("agreement")
        .order_by("pk")
    )
    # The demo logins act (the roster's other mediators have no login to show it with).
    staff = {
        org: [u for u in users if u.username in DEMO_USERNAMES]
        for org, users in users_by_org(
            {c.handling_org_id for c in candidates if c.handling_org_id}
        ).items()
    }
    # Whoever the platform lets record it (a committee's grid worker does not).
    chosen = [
        (case, actor)
        for case in candidates
        if (actor := _actor(staff.get(case.handling_org_id or 0, []), case)) is not None
    ]
    rng.shuffle(chosen)
    items = certificates = 0
    picked = sorted(chosen[:CASES_MAX], key=lambda pair: pair[0].pk)
    for n, (case, actor) in enumerate(picked):
        made, issued = _fulfil(case, actor, STATES[n % len(STATES)], today, rng)
        items += made
        certificates += issued
    return FulfilmentSummary(cases=len(picked), items=items, certificates=certificates)


def _actor(users: list[User], case: Case) -> User | None:
    return next((u for u in users if case_may(u, case, FULFIL)), None)


def _obligor(case: Case) -> Party | None:
    return (
        Party.objects.filter(case=case)
        .filter(Q(role=PartyRole.RESPONDENT) | Q(role=PartyRole.APPLICANT))
        .order_by("-role", "pk")  # the respondent first
        .first()
    )


def _fulfil(
    case: Case, actor: User, state: str, today: date, rng: random.Random
) -> tuple[int, int]:
    obligor = _obligor(case)
    if obligor is None:
        return 0, 0
    agreed = timezone.localdate(case.agreement.concluded_at)
    amount = Decimal(rng.choice((800, 1500, 3000, 5000, 12000, 26000)))
    past_due = max(agreed, today - timedelta(days=rng.randint(2, 10)))
    due = {
        "pending": today + timedelta(days=rng.randint(2, 40)),
        "partial": today + timedelta(days=rng.randint(5, 60)),
        "performed": max(agreed, today - timedelta(days=rng.randint(0, 7))),
        "defaulted": past_due,
        "overdue": past_due,
    }[state]
    item = performance_item_add(
        actor=actor,
        case_id=case.pk,
        obligor_id=obligor.pk,
        description=rng.choice(("支付赔偿款", "支付拖欠的工资", "返还借款", "支付修理费用")),
        amount=amount,
        due_date=due,
    )
    made, issued = 1, 0
    paid_on = min(today, max(agreed, due - timedelta(days=1)))
    if state == "partial":
        performance_record(
            actor=actor,
            item_id=item.pk,
            happened_on=min(today, agreed + timedelta(days=3)),
            amount=(amount / 2).quantize(Decimal("1")),
            note="通过银行转账支付首期款，申请人电话确认收到",
        )
    elif state == "performed":
        apology = performance_item_add(
            actor=actor,
            case_id=case.pk,
            obligor_id=obligor.pk,
            description="当面赔礼道歉",
            due_date=due,
        )
        made += 1
        performance_record(
            actor=actor,
            item_id=item.pk,
            happened_on=paid_on,
            amount=amount,
            note="在调解委员会当面交付现金，双方在收条上签字",
        )
        performance_record(
            actor=actor,
            item_id=apology.pk,
            happened_on=paid_on,
            note="在调解员见证下当面道歉，申请人表示接受",
        )
        performance_certificate_issue(actor=actor, case_id=case.pk)
        issued = 1
    elif state == "defaulted":
        performance_default(
            actor=actor,
            item_id=item.pk,
            note="履行期限届满后经电话催告两次，被申请人仍未支付",
        )
    return made, issued
