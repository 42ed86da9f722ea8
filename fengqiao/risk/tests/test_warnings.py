"""Early warnings and 应急联动 on the demo county (issue 15 items 2 and 3): the grid worker's
wage-arrears report warns the township 平安办 and the county's labour committee and 人社局;
unacknowledged notices escalate once to the county; an emergency response runs to its end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.disputes.choices import RiskGrade
from fengqiao.disputes.forms import QuickReportForm
from fengqiao.disputes.models import Case
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.orgs.models import Organization
from fengqiao.risk.alerts import sweep_warnings, warning_acknowledge, warning_close
from fengqiao.risk.choices import EmergencyStatus, WarningBasis, WarningStatus
from fengqiao.risk.emergency import (
    TaskInput,
    emergency_close,
    emergency_open,
    emergency_task_done,
)
from fengqiao.risk.models import RiskWarning, WarningNotice
from fengqiao.supervision.selectors import board, overseen_orgs
from fengqiao.web.tests.html import page_text

pytestmark = pytest.mark.usefixtures("demo_county", "db")

WAGE_TEXT = "工地老板拖欠我们三十多个工人工资两个多月了，大家说再不给就去堵区政府大门"


def user(name: str) -> User:
    return User.objects.get(username=name)


def column(b: Any, key: str) -> int:
    return next(n for s, n in b.total_cells if s.key == key)


def report(client: Any, facts: str = WAGE_TEXT, title: str = "工地拖欠工人工资") -> Case:
    """The demo grid worker's quick report, through the page they start on."""
    worker = user("gridworker")
    region = QuickReportForm(user=worker).fields["region"].queryset.first()
    client.force_login(worker)
    before = set(Case.objects.values_list("pk", flat=True))
    response = client.post(
        "/cases/report/",
        {
            "category": "labour",
            "title": title,
            "region": region.pk,
            "applicant_name": "周小林",
            "applicant_phone": "13900001111",
            "respondent_name": "某建筑劳务公司",
            "facts": facts,
            "confirm_new": "on",
        },
    )
    assert response.status_code == 302, page_text(response)
    (pk,) = set(Case.objects.values_list("pk", flat=True)) - before
    return Case.objects.get(pk=pk)


def notices(case: Case) -> dict[str, WarningNotice]:
    return {
        n.org.name: n
        for n in WarningNotice.objects.filter(warning__case=case).select_related("org")
    }


def escalated(case: Case) -> int:
    return WarningNotice.objects.filter(warning__case=case, escalated_at__isnull=False).count()


def township_platform() -> Organization:
    return user("dispatcher").role_grants.get().org


def county_platform() -> Organization:
    return user("dispatcher_county").role_grants.get().org


def test_the_wage_arrears_report_warns_the_territory_and_subject_orgs(client: Any) -> None:
    case = report(client)
    assert case.grade == RiskGrade.HIGH
    warning = RiskWarning.objects.get(case=case)
    assert warning.grade == RiskGrade.HIGH
    assert warning.status == WarningStatus.OPEN
    assert warning.reasons[:2] == ["涉及人数30人以上", "劳动争议（劳资重点领域）"]
    assert "扬言聚集堵路" in warning.reasons
    assert "稳控" in warning.measures[0]
    assert "疏导" in warning.measures[1]
    sent = notices(case)
    township = township_platform()
    assert sent[township.name].basis == WarningBasis.TERRITORY
    subject = {name for name, n in sent.items() if n.basis == WarningBasis.SUBJECT}
    assert any("劳动争议人民调解委员会" in name for name in subject)
    assert any("人力资源和社会保障局" in name for name in subject)
    assert any("劳动人事争议行政调解室" in name for name in subject)
    # Each must acknowledge within the 高 grade's two hours
    for n in sent.values():
        assert n.due_at - n.sent_at == timedelta(minutes=120)
    # The township dispatcher is told, with a link to the warning, and finds it to acknowledge
    message = Notification.objects.get(
        recipient=user("dispatcher"), kind=NotificationKind.WARNING, case=case
    )
    assert message.url == f"/risk/warnings/{warning.pk}/"
    client.force_login(user("dispatcher"))
    listing = page_text(client.get("/risk/warnings/"))
    assert case.number in listing
    page = page_text(client.get(message.url))
    assert "涉及人数：30人" in page
    assert "签收" in page


def test_unacknowledged_notices_escalate_once_to_the_county(client: Any) -> None:
    case = report(client)
    warning = RiskWarning.objects.get(case=case)
    now = timezone.now()
    sweep_warnings(now + timedelta(minutes=119))
    assert escalated(case) == 0
    # The township acknowledges in time: its notice no longer escalates
    sent = notices(case)
    township = sent[township_platform().name]
    warning_acknowledge(actor=user("dispatcher"), notice_id=township.pk)
    late = now + timedelta(minutes=121)
    sweep_warnings(late)
    assert escalated(case) == len(sent) - 1  # every other org's notice
    sweep_warnings(late)
    assert escalated(case) == len(sent) - 1  # and exactly once
    county = notices(case)[county_platform().name]
    assert county.basis == WarningBasis.ESCALATED
    assert county.due_at == late + timedelta(minutes=120)
    told = Notification.objects.filter(
        recipient=user("dispatcher_county"), kind=NotificationKind.WARNING, case=case
    )
    assert told.count() == 1
    assert told.get().title.startswith("预警升级")
    township.refresh_from_db()
    assert township.escalated_at is None
    assert township.acknowledged_at is not None
    assert case.timeline.filter(action="risk_warning_escalate").count() == len(sent) - 1
    # The county's own notice, unacknowledged too, has no platform above it to go to
    sweep_warnings(late + timedelta(minutes=121))
    assert escalated(case) == len(sent)
    assert WarningNotice.objects.filter(warning=warning).count() == len(sent) + 1


def test_only_the_org_told_may_acknowledge_and_only_once(client: Any) -> None:
    case = report(client)
    township = notices(case)[township_platform().name]
    with pytest.raises(CaseRuleError, match="无权"):
        warning_acknowledge(actor=user("dispatcher_county"), notice_id=township.pk)
    warning_acknowledge(actor=user("dispatcher"), notice_id=township.pk)
    with pytest.raises(CaseRuleError, match="已由"):
        warning_acknowledge(actor=user("dispatcher"), notice_id=township.pk)


def test_a_closed_warning_stops_escalating(client: Any) -> None:
    case = report(client)
    warning = RiskWarning.objects.get(case=case)
    county = user("dispatcher_county")
    waiting = column(board(county), "warning")
    warning_close(actor=user("dispatcher"), warning_id=warning.pk, note="已协调企业当日支付工资")
    # the 督办 board no longer counts its notices nobody acknowledged
    unacknowledged = WarningNotice.objects.filter(
        warning=warning, acknowledged_at__isnull=True, org__in=overseen_orgs(county)
    )
    assert unacknowledged.count() >= 2
    assert column(board(county), "warning") == waiting - unacknowledged.count()
    # and they never escalate
    sweep_warnings(timezone.now() + timedelta(hours=3))
    assert escalated(case) == 0


def test_a_superseded_warnings_notices_leave_the_board(client: Any) -> None:
    # Given a 高 warning nobody has acknowledged yet
    case = report(client)
    first = RiskWarning.objects.get(case=case)
    county = user("dispatcher_county")
    waiting = column(board(county), "warning")
    # when new facts raise the case to 重大, the 高 warning is superseded by a new one
    from fengqiao.risk.alerts import warning_raise
    from fengqiao.risk.selectors import case_facts

    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        assert warning_raise(
            locked,
            grade=RiskGrade.MAJOR,
            reasons=["涉及人数百人以上"],
            facts=case_facts(locked),
            actor=user("dispatcher"),
        )
    first.refresh_from_db()
    assert first.status == WarningStatus.SUPERSEDED
    # then the board counts the new warning's notices, not the old one's
    new = RiskWarning.objects.get(case=case, status=WarningStatus.OPEN)
    unacknowledged = WarningNotice.objects.filter(
        acknowledged_at__isnull=True, org__in=overseen_orgs(county)
    )
    old_n = unacknowledged.filter(warning=first).count()
    new_n = unacknowledged.filter(warning=new).count()
    assert column(board(county), "warning") == waiting - old_n + new_n


def test_who_sees_a_warning(client: Any) -> None:
    case = report(client)
    warning = RiskWarning.objects.get(case=case)
    url = f"/risk/warnings/{warning.pk}/"
    for name in ("dispatcher", "dispatcher_county", "leader"):
        client.force_login(user(name))
        assert client.get(url).status_code == 200, name
        assert case.number in page_text(client.get("/risk/warnings/?tab=open")), name
    # A village mediator of another township never sees it, in the list or by its address
    client.force_login(user("mediator2"))
    assert client.get(url).status_code == 404
    assert case.number not in page_text(client.get("/risk/warnings/?tab=open"))


def _emergency(case: Case, warning: RiskWarning) -> Any:
    police = user("police").role_grants.get().org
    justice = user("justice").role_grants.get().org
    due = timezone.now() + timedelta(hours=4)
    return emergency_open(
        actor=user("dispatcher_county"),
        case_id=case.pk,
        warning_id=warning.pk,
        title="工地讨薪现场处置",
        place="工地门口",
        situation="三十余名工人聚集讨薪",
        lead_id=user("dispatcher").pk,
        org_ids=[police.pk, justice.pk, township_platform().pk],
        tasks=[
            TaskInput("现场稳控", police.pk, due),
            TaskInput("组织调解", justice.pk, due + timedelta(hours=20)),
        ],
    )


def test_an_emergency_response_runs_until_every_task_is_done(client: Any) -> None:
    case = report(client)
    warning = RiskWarning.objects.get(case=case)
    response = _emergency(case, warning)
    assert Notification.objects.filter(
        recipient=user("police"), kind=NotificationKind.EMERGENCY, case=case
    ).exists()
    police_task, justice_task = response.tasks.order_by("due_at")
    # The police officer sees it and does their task; the justice officer may not do theirs
    with pytest.raises(CaseRuleError):
        emergency_task_done(actor=user("justice"), task_id=police_task.pk, result="不是我的")
    emergency_task_done(actor=user("police"), task_id=police_task.pk, result="民警到场，秩序平稳")
    with pytest.raises(CaseRuleError, match="1项任务未完成"):
        emergency_close(actor=user("dispatcher"), response_id=response.pk, summary="处置完毕")
    emergency_task_done(actor=user("justice"), task_id=justice_task.pk, result="达成分期支付协议")
    emergency_close(actor=user("dispatcher"), response_id=response.pk, summary="工资已分期支付")
    response.refresh_from_db()
    assert response.status == EmergencyStatus.CLOSED
    client.force_login(user("police"))
    text = page_text(client.get(f"/risk/emergencies/{response.pk}/"))
    assert "民警到场，秩序平稳" in text
    assert "工资已分期支付" in text


def test_an_overdue_emergency_task_is_chased_once(client: Any) -> None:
    case = report(client)
    response = _emergency(case, RiskWarning.objects.get(case=case))
    later = timezone.now() + timedelta(hours=5)
    chased = Notification.objects.filter(
        recipient=user("police"),
        kind=NotificationKind.EMERGENCY,
        title__startswith="应急任务逾期",
        case=case,
    )
    sweep_warnings(later)
    sweep_warnings(later)
    assert chased.count() == 1
    assert response.tasks.filter(overdue_notified_at__isnull=False).count() == 1


def test_only_the_platform_over_the_case_opens_a_response(client: Any) -> None:
    case = report(client)
    warning = RiskWarning.objects.get(case=case)
    with pytest.raises(CaseRuleError, match="综治中心"):
        emergency_open(
            actor=user("police"),
            case_id=case.pk,
            warning_id=warning.pk,
            title="x",
            place="y",
            situation="z",
            lead_id=user("police").pk,
            org_ids=[],
            tasks=[],
        )
    client.force_login(user("police"))
    assert client.get(f"/risk/emergencies/new/{case.pk}/?warning={warning.pk}").status_code in (
        403,
        404,
    )
    client.force_login(user("dispatcher"))
    form = client.get(f"/risk/emergencies/new/{case.pk}/?warning={warning.pk}")
    assert form.status_code == 200
    html = form.content.decode()
    assert "现场稳控" in html
    assert "派出所" in page_text(form)
