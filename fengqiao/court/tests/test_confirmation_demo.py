"""The demo county holds confirmations in every state (issue 14, "Done when"): the demo judge
finds them in the queue, the confirmed one has its 民事裁定书 and a signed 送达回证."""

from __future__ import annotations

import pytest

from fengqiao.accounts.models import User
from fengqiao.court.models.confirmation import Confirmation, ConfirmationStatus
from fengqiao.court.selectors.confirmation import DECIDED, TO_ACCEPT, TO_RULE, confirmation_queue
from fengqiao.documents.choices import DocumentType

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def test_every_state_is_in_the_demo() -> None:
    statuses = set(Confirmation.objects.values_list("status", flat=True))
    assert statuses == set(ConfirmationStatus.values)
    confirmed = Confirmation.objects.filter(
        status=ConfirmationStatus.CONFIRMED, decision_document__isnull=False
    ).first()
    assert confirmed is not None
    assert confirmed.decision_document.doc_type == DocumentType.CONFIRMATION_RULING
    assert confirmed.receipts.filter(method="signature_pad").exists()
    # every application is dated as the rules allow: filed within 30 days, decided after
    for c in Confirmation.objects.all():
        assert (c.filed_at - c.effective_at).days <= 30
        assert c.decided_at is None or c.decided_at >= c.filed_at


def test_the_demo_judge_has_a_queue() -> None:
    judge = User.objects.get(username="judge")
    tabs = {tab: confirmation_queue(judge, tab).rows for tab in (TO_ACCEPT, TO_RULE, DECIDED)}
    assert all(tabs.values()), {t: len(r) for t, r in tabs.items()}


def test_every_standing_application_is_on_the_deadline_sweep() -> None:
    from fengqiao.court.services.confirmation_due import CONFIRMATION_KINDS
    from fengqiao.disputes.choices import DueKind, DueStatus
    from fengqiao.disputes.models import DueItem

    standing = Confirmation.objects.filter(
        status__in=[ConfirmationStatus.PENDING, ConfirmationStatus.ACCEPTED]
    )
    assert standing.exists()
    for c in standing:
        item = DueItem.objects.get(case=c.case, kind__in=CONFIRMATION_KINDS, status=DueStatus.OPEN)
        pending = c.status == ConfirmationStatus.PENDING
        assert item.kind == (DueKind.CONFIRM_ACCEPT if pending else DueKind.CONFIRM_RULE)
        assert item.due_at == (c.accept_due_at if pending else c.rule_due_at)
        assert item.org_id == c.court_id
    # The decided ones leave nothing open.
    decided = Confirmation.objects.exclude(pk__in=standing.values("pk")).values("case_id")
    assert not DueItem.objects.filter(
        case_id__in=decided, kind__in=CONFIRMATION_KINDS, status=DueStatus.OPEN
    ).exists()


def test_the_county_has_confirmed_agreements_in_its_history() -> None:
    """Older written agreements were confirmed (the demo's 司法确认率 read 0.1 % without them),
    and each court's 民特 numbers of a year follow the order the applications were accepted."""
    from collections import defaultdict
    from datetime import timedelta

    from django.utils import timezone

    from fengqiao.stats.measures import measures_for
    from fengqiao.stats.periods import Period

    old = Confirmation.objects.filter(
        status=ConfirmationStatus.CONFIRMED, effective_at__lt=timezone.now() - timedelta(days=45)
    )
    assert old.count() >= 2
    numbers: dict[tuple[int, int], list[tuple[object, int]]] = defaultdict(list)
    for c in Confirmation.objects.exclude(number=""):
        seq = int(c.number.rsplit("民特", 1)[1].rstrip("号"))
        numbers[(c.court_id, timezone.localtime(c.accepted_at).year)].append((c.accepted_at, seq))
    for rows in numbers.values():
        assert [seq for _at, seq in sorted(rows)] == sorted(seq for _at, seq in rows)
    # The statistics count them (the rollups are rebuilt after the history is loaded).
    today = timezone.localdate()
    span = Period(today - timedelta(days=540), today)
    assert (measures_for(None, span)["confirmed"].value or 0) >= old.count()
