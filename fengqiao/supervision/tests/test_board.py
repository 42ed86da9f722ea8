"""The 督办 board on the demo county (issue 15 item 5): what is late, per org and level, for
the county and for a township; the items behind a count; a 督办令 issued, answered, chased."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.disputes.choices import DueKind, DueStatus
from fengqiao.disputes.models import DueItem
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.governance.choices import TaskStatus
from fengqiao.governance.models import ResolutionTask
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.risk.choices import EmergencyStatus, WarningStatus
from fengqiao.risk.models import EmergencyResponse, WarningNotice
from fengqiao.supervision.choices import DirectiveStatus
from fengqiao.supervision.selectors import board, board_items, overseen_orgs
from fengqiao.supervision.services import directive_answer, directive_issue, sweep_directives
from fengqiao.web.tests.html import page_text

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def user(name: str) -> User:
    return User.objects.get(username=name)


def column(b: Any, key: str) -> int:
    return next(n for s, n in b.total_cells if s.key == key)


def test_the_county_board_counts_what_is_late_in_the_county() -> None:
    county = user("dispatcher_county")
    b = board(county)
    now = timezone.now()
    orgs = overseen_orgs(county)
    assert (
        column(b, "warning")
        == WarningNotice.objects.filter(
            acknowledged_at__isnull=True, warning__status=WarningStatus.OPEN, org__in=orgs
        ).count()
    )
    assert column(b, "warning") >= 2  # the demo's escalated and awaiting warnings
    assert (
        column(b, "emergency")
        == EmergencyResponse.objects.filter(status=EmergencyStatus.OPEN).count()
    )
    assert column(b, "emergency") >= 1
    overdue_mediations = DueItem.objects.filter(
        kind=DueKind.MEDIATION,
        status=DueStatus.OPEN,
        paused_at__isnull=True,
        due_at__lt=now,
        org__in=orgs,
    ).count()
    assert column(b, f"due_{DueKind.MEDIATION}") == overdue_mediations
    overdue_tasks = ResolutionTask.objects.filter(
        status=TaskStatus.OPEN, due_date__lt=timezone.localdate(), owner_org__in=orgs
    ).count()
    assert column(b, "task") == overdue_tasks >= 1
    from fengqiao.alarms.models import Alarm

    assert column(b, "alarm") == Alarm.objects.filter(status="open", station__in=orgs).count()
    from fengqiao.governance.selectors import unfiled_screening

    unfiled = unfiled_screening(county, limit=500)
    assert column(b, "screening") == len([r for r in unfiled.rows if r.orgs]) >= 1
    # Per org the counts add up to the totals; per level too
    for i, total in enumerate(b.totals):
        assert sum(r.counts[i] for r in b.rows) == total
        assert sum(sums[i] for _label, sums in b.levels) == total


def test_each_orgs_unfiled_screening_count_lists_that_orgs_units_only() -> None:
    # Given the county dispatcher's board, its 排查报告未报 column counted per filing org
    county = user("dispatcher_county")
    b = board(county)
    i = [s.key for s in b.sources].index("screening")
    counted = {row.org.pk: row.counts[i] for row in b.rows if row.counts[i]}
    assert len(counted) >= 2
    # then following one org's count lists that many units, every one filed by that org
    for org_id, n in counted.items():
        items = board_items(county, "screening", org_id)
        assert len(items) == n, org_id
        assert {item.org_id for item in items} == {org_id}
    # and the column holds every unit with a filing org, however many (not a first page)
    from fengqiao.governance.selectors import unfiled_screening

    unfiled = unfiled_screening(county, limit=10_000)
    assert sum(counted.values()) == len([r for r in unfiled.rows if r.orgs])


def test_a_township_sees_only_its_own_orgs(client: Any) -> None:
    township = user("dispatcher")
    platform = township.role_grants.get().org
    b = board(township)
    assert b.rows
    for row in b.rows:
        assert row.org.region.path.startswith(platform.region.path), row.org.name
    assert board(user("dispatcher_county")).total >= b.total
    # A village mediator and the police have no board
    for name in ("mediator", "police"):
        client.force_login(user(name))
        assert client.get("/supervision/").status_code == 403, name
    client.force_login(user("leader"))
    page = page_text(client.get("/supervision/"))
    assert "预警未签收" in page
    assert "会议交办任务逾期" in page


def test_a_directive_goes_to_the_org_and_comes_back_answered(client: Any) -> None:
    county = user("dispatcher_county")
    township = user("dispatcher").role_grants.get().org_id
    item = next(i for i in board_items(county, "warning") if i.org_id == township)
    due = timezone.now() + timedelta(days=1)
    directive = directive_issue(
        actor=county, kind="warning", object_id=item.pk, due_at=due, comment="请立即签收并落实稳控"
    )
    with pytest.raises(CaseRuleError, match="已有未反馈"):
        directive_issue(actor=county, kind="warning", object_id=item.pk, due_at=due, comment="再催")
    # The org it went to finds it in 我的工作 and answers it
    org_users = User.objects.filter(role_grants__org_id=item.org_id, is_active=True)
    assert Notification.objects.filter(
        recipient__in=org_users,
        kind=NotificationKind.SUPERVISION,
        url__endswith=f"/{directive.pk}/",
    ).exists()
    client.force_login(user("dispatcher"))
    assert directive.subject[:10] in page_text(client.get("/cases/my/"))
    directive_answer(
        actor=user("dispatcher"), directive_id=directive.pk, answer="已签收，专人包案稳控"
    )
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.ANSWERED
    assert Notification.objects.filter(
        recipient=county, kind=NotificationKind.RESULT, title__startswith="督办反馈"
    ).exists()
    # Someone of another org may not answer
    with pytest.raises(CaseRuleError):
        directive_answer(actor=user("mediator2"), directive_id=directive.pk, answer="x")


def test_a_township_cannot_direct_the_county_and_an_overdue_directive_is_chased_once() -> None:
    county = user("dispatcher_county")
    township = user("dispatcher")
    county_items = [
        i for i in board_items(county, "warning") if i.org_id == county.role_grants.get().org_id
    ]
    if county_items:
        with pytest.raises(CaseRuleError, match="不在您的督办范围"):
            directive_issue(
                actor=township,
                kind="warning",
                object_id=county_items[0].pk,
                due_at=timezone.now() + timedelta(hours=2),
                comment="x",
            )
    item = board_items(county, "emergency")[0]
    directive = directive_issue(
        actor=county,
        kind="emergency",
        object_id=item.pk,
        due_at=timezone.now() + timedelta(hours=2),
        comment="请报告处置进展",
    )
    later = timezone.now() + timedelta(hours=3)
    assert sweep_directives(later).chased >= 1
    assert sweep_directives(later).chased == 0
    assert Notification.objects.filter(
        kind=NotificationKind.OVERDUE, url__endswith=f"/{directive.pk}/"
    ).exists()


def test_the_board_drills_down_to_the_items(client: Any) -> None:
    client.force_login(user("dispatcher_county"))
    page = client.get("/supervision/")
    assert page.status_code == 200
    text = page_text(client.get("/supervision/items/?kind=emergency"))
    assert "征地补偿款分配纠纷应急处置" in text
    assert "下达督办令" in text
    assert client.get("/supervision/items/?kind=nothing").status_code == 404


def test_each_orgs_count_on_the_page_links_to_as_many_items(client: Any) -> None:
    # Given the county dispatcher's board page
    county = user("dispatcher_county")
    client.force_login(county)
    html = client.get("/supervision/").content.decode()
    cells = re.findall(
        r'data-kind="([a-z_]+)" href="/supervision/items/\?kind=\1&amp;org=(\d+)">(\d+)</a>', html
    )
    # then every org's count with something late is a link, the board's rows hold them all
    b = board(county)
    assert len(cells) == sum(1 for row in b.rows for n in row.counts if n) > 0
    # and following a link lists that many items of that org (each count is under 100 here)
    for kind, org, n in cells[:6]:
        items = board_items(county, kind, int(org))
        assert len(items) == int(n), (kind, org)
        assert {i.org_id for i in items} == {int(org)}
