"""Every demo account at work on the small demo county (``seed_demo --small``; issue "Day one in
a real county", item 5): each logs in with its published password, starts where the role
lands (``/``), registers or opens a case through the pages and sees what a user would notice —
the platform the case went to, the cases listed, the buttons offered. The county is seeded once
for the module (``demo_county``); what each test changes is rolled back after it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.demo.accounts import DEMO_ACCOUNTS
from fengqiao.demo.data import DEMO_PASSWORD
from fengqiao.disputes.choices import OPEN_STATUSES, CaseStatus, DispatchStatus, DueStatus
from fengqiao.disputes.models import Case, DispatchOrder, DueItem
from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.regions.models import Region
from fengqiao.web.tests.html import page_form, page_text, table_text

pytestmark = pytest.mark.usefixtures("demo_county", "db")

CASE_NUMBER = re.compile(r"\b(\d{12})-\d{4}-\d{6}\b")


def login(username: str) -> tuple[Client, HttpResponse]:
    """Log in through the login page as a demo account; the page the role lands on."""
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/", response.redirect_chain
    return client, response


def grant_org(username: str) -> Organization:
    """The org a demo account's role is granted at."""
    grant = User.objects.get(username=username).role_grants.select_related("org__region").get()
    assert grant.org is not None
    return grant.org


def township_of(region: Region) -> Region:
    while region.level > 4:  # a grid (6) or a village (5): up to the township (4)
        assert region.parent is not None
        region = region.parent
    return region


def platform_of(township: Region) -> Organization:
    return Organization.objects.get(region=township, kind__family=OrgFamily.PLATFORM)


def numbers_in(text: str) -> set[str]:
    return {m.group(0) for m in CASE_NUMBER.finditer(text)}


def page_text_of(response: HttpResponse, element_id: str) -> str:
    """The visible text of the element with ``id=element_id``, whitespace collapsed."""
    html = response.content.decode()
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match is not None, f"no #{element_id} on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def actions_offered(response: HttpResponse) -> set[str]:
    """The actions the case page offers (its ``act-…`` panels)."""
    return set(
        re.findall(
            r'<details class="list-group-item" id="act-([a-z_]+)"', response.content.decode()
        )
    )


def test_every_demo_account_is_covered_here() -> None:
    covered = {
        "gridworker",
        "mediator",
        "mediator2",
        "mediator_industry",
        "mediator_court",
        "dispatcher",
        "dispatcher_county",
        "leader",
        "justice",
        "judge",
        "clerk",
        "police",
        "orgadmin",
        "sysadmin",
        "secadmin",
        "auditor",
    }
    assert {account.username for account in DEMO_ACCOUNTS} == covered


# --- 网格员 -------------------------------------------------------------------------------------


def test_grid_worker_reports_to_their_townships_pingan_office() -> None:
    # given the grid worker of a village, landing on 快速上报
    village = grant_org("gridworker").region
    township = township_of(village)
    platform = platform_of(township)
    client, landing = login("gridworker")
    assert f"{platform.name}会尽快研判" in page_text(landing)
    assert f"{platform.name}会尽快研判" in page_text(client.get("/cases/report/"))
    form = page_form(landing, "/cases/report/")
    places = [label.lstrip("\u3000└ ") for value, label in form.options["region"] if value]
    assert places[0] == village.name
    assert all(p.startswith(village.name) for p in places)  # the village and its grids only

    # when they report a dispute in their village
    response = client.post(
        form.action,
        form.data(
            category=form.option("category", "邻里"),
            title="两户因晒谷场占道起争执",
            region=form.option("region", village.name),
            applicant_name="甄晓梅",
            applicant_phone="13955550101",
            respondent_name="卜建平",
        ),
        follow=True,
    )

    # then the page gives a case number of the township, names its 平安办, and the case waits
    # there for 研判
    text = page_text(response)
    assert response.status_code == 200, text[-400:]
    (number,) = numbers_in(text)
    assert number.startswith(f"{township.code}-")
    assert platform.name in text
    case = Case.objects.get(number=number)
    assert case.platform == platform
    assert case.status == CaseStatus.REGISTERED
    # and it is the first of their recent reports on the landing page
    recent = page_text(client.get("/"))
    assert number in recent.split("我最近的上报", 1)[1]


def test_grid_workers_work_is_not_their_committees_mediation() -> None:
    # given the grid worker, whose role is granted at the village committee, which mediates cases
    committee = grant_org("gridworker")
    assert Case.objects.filter(handling_org=committee, status=CaseStatus.MEDIATING).exists()
    client, _landing = login("gridworker")

    # then 我的工作 lists none of them as theirs to mediate
    work = client.get("/cases/my/")
    assert listed_numbers(work, "to-mediate") == set()
    assert "没有调解中的案件" in table_text(work, "to-mediate")
    # while the committee's mediator finds them there
    _client, mediator_work = login("mediator")
    assert listed_numbers(mediator_work, "to-mediate")


# --- 人民调解员: a village committee, the 医调委, the 驻庭调解室 ---------------------------------

MEDIATORS = ["mediator", "mediator2", "mediator_industry", "mediator_court"]


def listed_numbers(response: HttpResponse, table_id: str) -> set[str]:
    return numbers_in(table_text(response, table_id))


@pytest.mark.parametrize("username", MEDIATORS)
def test_mediator_lands_on_their_committees_work_and_accepts_an_order(username: str) -> None:
    # given a mediator, landing on 我的工作
    org = grant_org(username)
    client, landing = login(username)
    assert "我的工作" in page_text(landing)

    # then what waits for them is their org's: the orders addressed to it, the cases it handles
    waiting = listed_numbers(landing, "to-accept")
    assert waiting == set(
        DispatchOrder.objects.filter(
            to_org=org, status=DispatchStatus.PENDING, case__status=CaseStatus.DISPATCHED
        ).values_list("case__number", flat=True)
    )
    assert waiting
    handling = listed_numbers(landing, "to-mediate")
    assert handling
    assert set(Case.objects.filter(number__in=handling).values_list("handling_org", flat=True)) == {
        org.pk
    }

    # when they accept the first order from the page
    order = DispatchOrder.objects.filter(to_org=org, status=DispatchStatus.PENDING).first()
    assert order is not None
    assert order.case.number in waiting
    form = page_form(landing, f"/cases/orders/{order.pk}/accept/")
    response = client.post(form.action, form.data(), follow=True)

    # then the page says so, and the case moves from 待受理 to 调解中 as 已受理
    assert f"{org.name}已受理案件{order.case.number}" in page_text(response)
    assert order.case.number not in listed_numbers(response, "to-accept")
    assert order.case.number in listed_numbers(response, "to-mediate")
    assert "已受理" in table_text(response, "to-mediate")


def test_village_mediators_deadline_panels_list_their_own_committees_clocks() -> None:
    # given a village mediator whose area also holds cases other orgs handle, with their own clocks
    username = "mediator"
    org = grant_org(username)
    client, _landing = login(username)
    visible = listed_numbers(client.get("/cases/", {"overdue": "1"}), "case-list")
    others = DueItem.objects.filter(
        case__number__in=visible, status=DueStatus.OPEN, due_at__lt=timezone.now()
    ).exclude(org=org)
    assert others.exists(), "the demo county should give this area other orgs' overdue clocks"

    # when they open 我的工作
    work = client.get("/cases/my/")

    # then 已超期 and 3日内到期 name only their own org as 责任单位
    for panel in ("overdue", "due-soon"):
        rows = table_text(work, panel)
        assert not any(o.org.name in rows for o in others if o.org_id != org.pk), panel
    listed = listed_numbers(work, "overdue")
    assert listed
    owned = set(
        DueItem.objects.filter(
            org=org, status=DueStatus.OPEN, paused_at__isnull=True, due_at__lt=timezone.now()
        ).values_list("case__number", flat=True)
    )
    assert listed <= owned | set(
        Case.objects.filter(handler__username=username).values_list("number", flat=True)
    )
    # and the count is that of the list it links to
    count = int(page_text_of(work, "overdue-count").split()[0])
    behind = client.get("/cases/", {"queue": "overdue"})
    assert f"共 {count} 件" in page_text(behind)
    assert listed <= listed_numbers(behind, "case-list")


@pytest.mark.parametrize("username", MEDIATORS)
def test_mediator_opens_a_case_in_mediation_and_is_offered_the_mediators_actions(
    username: str,
) -> None:
    org = grant_org(username)
    client, landing = login(username)
    mediating = Case.objects.filter(
        handling_org=org,
        status=CaseStatus.MEDIATING,
        number__in=listed_numbers(landing, "to-mediate"),
    ).first()
    assert mediating is not None

    # when they open a case their org is mediating
    page = client.get(f"/cases/{mediating.pk}/")

    # then they are offered what the mediator does, and nothing the platform does
    handling = re.search(r'id="handling-org">([^<]*)<', page.content.decode())
    assert handling is not None
    assert handling.group(1) == org.name
    offered = actions_offered(page)
    assert {"suspend", "agree", "fail", "refer", "extend"} <= offered
    assert not offered & {"assess", "dispatch", "reject", "archive", "follow_up", "start"}
    assert "记录调解笔录" in page_text(page)

    # and 中止 through the page works; 恢复 is offered next, 中止 no longer
    form = page_form(page, f"/cases/{mediating.pk}/act/suspend/")
    response = client.post(
        form.action, form.data(reason="当事人外出务工，暂时无法参加调解"), follow=True
    )
    assert "调解已中止" in page_text(response)
    assert "resume" in actions_offered(response)
    assert "suspend" not in actions_offered(response)


def test_village_mediators_do_not_open_each_others_cases() -> None:
    # given the mediators of two villages in different townships
    mine = Case.objects.filter(handling_org=grant_org("mediator")).first()
    theirs = Case.objects.filter(handling_org=grant_org("mediator2")).first()
    assert mine is not None
    assert theirs is not None
    client, _landing = login("mediator")

    # then each opens their own and not the other's (404: its existence is not told)
    assert client.get(f"/cases/{mine.pk}/").status_code == 200
    assert client.get(f"/cases/{theirs.pk}/").status_code == 404
    assert theirs.number not in table_text(client.get("/cases/"), "case-list")


# --- 平安办调度员 (township) and the 综治中心 (county) -------------------------------------------


def queue_link(landing: HttpResponse, name: str) -> tuple[int, str]:
    """The count a dispatcher's landing shows for a queue, and where it links."""
    match = re.search(
        rf'href="([^"]+)" data-queue="{name}">\s*'
        r'<div class="card-body"><div class="display-6[^"]*">(\d+)</div>',
        landing.content.decode(),
    )
    assert match is not None, f"no {name} card"
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


def test_township_dispatcher_assesses_a_township_case_and_dispatches_it_to_a_village() -> None:
    # given the dispatcher of township A's 平安办, landing on the queue counts
    platform = grant_org("dispatcher")
    township = platform.region
    client, landing = login("dispatcher")

    # then 待研判 lists the cases waiting at this 平安办, every one of the township
    count, url = queue_link(landing, "to_assess")
    listed = listed_numbers(client.get(url), "case-list")
    assert count == len(listed) > 0
    assert listed == set(
        Case.objects.filter(platform=platform, status=CaseStatus.REGISTERED).values_list(
            "number", flat=True
        )
    )
    assert all(n.startswith(f"{township.code}-") for n in listed)
    assert Case.objects.filter(status=CaseStatus.REGISTERED).exclude(platform=platform).exists()

    # when they open one: 研判 and 不予受理 are offered, nothing of the mediator's
    case = Case.objects.get(number=min(listed))
    page = client.get(f"/cases/{case.pk}/")
    offered = actions_offered(page)
    assert {"assess", "reject"} <= offered
    assert not offered & {"start", "agree", "fail", "dispatch", "archive"}
    assert 'id="mediation-consent-needed"' not in page.content.decode()

    # and grade it 中 through the form
    form = page_form(page, f"/cases/{case.pk}/act/assess/")
    response = client.post(
        form.action,
        form.data(grade=form.option("grade", "中"), note="邻里矛盾，风险可控"),
        follow=True,
    )
    assert "研判结果已保存" in page_text(response)
    assert "dispatch" in actions_offered(response)

    # and send it to the committee of the demo mediator's village
    committee = grant_org("mediator")
    assert township_of(committee.region) == township
    form = page_form(response, f"/cases/{case.pk}/act/dispatch/")
    response = client.post(
        form.action,
        form.data(
            orgs=form.option("orgs", committee.name),
            **{f"task_{committee.pk}": "请三日内上门了解情况，组织双方调解"},
        ),
        follow=True,
    )
    assert "已交办" in page_text(response)
    assert committee.name in table_text(response, "orders")

    # then the village mediator finds it waiting on 我的工作
    _client, mediator_landing = login("mediator")
    assert case.number in listed_numbers(mediator_landing, "to-accept")


def test_county_dispatcher_takes_over_the_cases_townships_escalated() -> None:
    # given the dispatcher of the county 综治中心
    county = grant_org("dispatcher_county")
    client, landing = login("dispatcher_county")

    # then nothing of a township waits for their 研判, and 待交办 lists the escalated cases
    assert queue_link(landing, "to_assess")[0] == 0
    count, url = queue_link(landing, "to_dispatch")
    listed = listed_numbers(client.get(url), "case-list")
    assert count == len(listed) > 0
    escalated = Case.objects.filter(number__in=listed)
    assert {c.platform_id for c in escalated} == {county.pk}
    assert all(c.timeline.filter(action="escalate").exists() for c in escalated)

    # when they open one and dispatch it to the committee of its township
    case = escalated.order_by("number").first()
    assert case is not None
    page = client.get(f"/cases/{case.pk}/")
    assert {"dispatch", "reject"} <= actions_offered(page)
    assert county.name in page_text(page)
    committee = Organization.objects.get(
        region=township_of(case.region), kind__code="committee_township"
    )
    form = page_form(page, f"/cases/{case.pk}/act/dispatch/")
    response = client.post(
        form.action,
        form.data(
            orgs=form.option("orgs", committee.name),
            **{f"task_{committee.pk}": "区综治中心交办：由乡镇调委会牵头化解"},
        ),
        follow=True,
    )

    # then it is on its way, from the county
    assert "已交办" in page_text(response)
    order = DispatchOrder.objects.get(case=case, status=DispatchStatus.PENDING)
    assert (order.from_org, order.to_org) == (county, committee)


# --- 领导 ---------------------------------------------------------------------------------------


def test_leader_figures_link_to_the_cases_they_count_and_offer_no_action() -> None:
    client, landing = login("leader")
    figures = re.findall(
        r'<div class="display-6">(\d+)</div>\s*<div><a href="([^"]+)" data-figure="(\w+)">',
        landing.content.decode(),
    )
    assert [name for _count, _url, name in figures] == [
        "month_intake",
        "month_resolved",
        "overdue",
        "month_supervised",
    ]
    assert int(figures[0][0]) > 0
    for count, url, name in figures:
        listing = client.get(url.replace("&amp;", "&"))
        assert f"共 {count} 件" in page_text(listing), name
    # A case they count: read only.
    listed = listed_numbers(client.get(figures[0][1]), "case-list")
    case = Case.objects.get(number=min(listed))
    page = client.get(f"/cases/{case.pk}/")
    assert actions_offered(page) == set()
    assert "您当前没有可对该案件执行的操作" in page_text(page)
    # nor the mediator's to-do about consents (a leader records none)
    assert 'id="mediation-consent-needed"' not in page.content.decode()


# --- 司法所干部 ----------------------------------------------------------------------------------


def test_justice_officer_sees_the_townships_cases_and_is_not_offered_a_visit() -> None:
    # given the 司法所 officer of township A
    township = grant_org("justice").region
    client, landing = login("justice")
    assert "我的工作" in page_text(landing)

    # then the case list is the township's cases and no other
    listing = client.get("/cases/")
    in_township = Case.objects.filter(region__path__startswith=township.path)
    assert f"共 {in_township.count()} 件" in page_text(listing)
    assert all(n.startswith(f"{township.code}-") for n in listed_numbers(listing, "case-list"))

    # when they open a case its committee closed, which the 平安办 still has to visit (回访)
    closed = in_township.filter(
        status=CaseStatus.RESOLVED, handling_org__kind__code="committee_village"
    ).first()
    assert closed is not None
    page = client.get(f"/cases/{closed.pk}/")

    # then no 回访 form is offered to them, and the service refuses one all the same
    assert page.status_code == 200
    assert "follow_up" not in actions_offered(page)
    visits = closed.follow_ups.count()
    refused = client.post(
        f"/cases/{closed.pk}/act/follow_up/", {"version": closed.version, "satisfaction": 5}
    )
    assert refused.status_code in (400, 403)
    assert closed.follow_ups.count() == visits
    # while the township's dispatcher is offered it
    dispatcher, _landing = login("dispatcher")
    assert "follow_up" in actions_offered(dispatcher.get(f"/cases/{closed.pk}/"))


# --- 法官、书记员、民警: the cases their court or station sends ----------------------------------


@pytest.mark.parametrize(
    ("username", "channel"), [("judge", "法院委派"), ("clerk", "法院委派"), ("police", "警调")]
)
def test_court_and_police_register_the_case_they_send_and_open_it(
    username: str, channel: str
) -> None:
    # given a judge or clerk of the 人民法庭, or a 派出所 officer
    sender = grant_org(username)
    client, landing = login(username)
    assert "登记纠纷" in page_text(landing)

    # when they register a case by their channel at a village of their area
    page = client.get("/cases/new/")
    form = page_form(page, "")
    village_value, village_label = next(
        (v, label) for v, label in form.options["region"] if v and "网格" not in label
    )
    village = Region.objects.get(pk=village_value)
    response = client.post(
        "/cases/new/",
        form.data(
            channel=form.option("channel", channel),
            category=form.option("category", "损害赔偿"),
            title="车辆剐蹭赔偿纠纷（诉前）",
            facts="双方因停车剐蹭就赔偿数额协商不成。",
            region=village_value,
            applicant_name="柏文华",
            applicant_phone="13955550202",
            respondent_name="鲁志刚",
            confirm_new="1",
        ),
        follow=True,
    )

    # then they land on the case page: sent by their court or station, queued at the 平安办 of
    # the village's township
    text = page_text(response)
    assert response.redirect_chain, text[-600:]
    case = Case.objects.get(title="车辆剐蹭赔偿纠纷（诉前）")
    assert response.redirect_chain[-1][0] == f"/cases/{case.pk}/"
    assert f"已登记，案件编号：{case.number}" in text
    assert case.number.startswith(f"{township_of(village).code}-")
    facts = page_text_of(response, "case-facts")
    assert f"来源单位 {sender.name}" in facts
    assert f"责任平台 {platform_of(township_of(village)).name}" in facts
    assert village_label in facts
    # and it is in their case list, and first on the page they land on, with its count
    assert case.number in listed_numbers(client.get("/cases/"), "case-list")
    home = client.get("/")
    first = CASE_NUMBER.search(table_text(home, "unit-cases"))
    assert first is not None
    assert first.group(0) == case.number
    # the count is that of their case list's open cases, status by status
    count = int(page_text_of(home, "unit-open-count").split()[0])
    listed = 0
    for status in OPEN_STATUSES:
        found = re.search(r"共 (\d+) 件", page_text(client.get("/cases/", {"status": status})))
        assert found is not None
        listed += int(found.group(1))
    assert count == listed > 0


def test_police_see_the_cases_of_their_stations_mediation_room() -> None:
    station = grant_org("police")
    room = Organization.objects.get(region=station.region, kind__code="room_police")
    handled = Case.objects.filter(handling_org=room)
    assert handled.exists()
    client, _landing = login("police")
    listed = listed_numbers(client.get("/cases/"), "case-list")
    assert set(handled.values_list("number", flat=True)) <= listed
    # and nothing of a village committee that is neither theirs nor sent by them
    other = Case.objects.filter(handling_org__kind__code="committee_village", source_org=None)
    assert not listed & set(other.values_list("number", flat=True))


# --- 组织管理员 and the three administrators (三员分立) -----------------------------------------


def test_org_admin_manages_orgs_and_sees_no_case() -> None:
    client, landing = login("orgadmin")
    text = page_text(landing)
    assert "新建单位" in text
    assert "批量导入单位和名册" in text
    assert "纠纷案件" not in text
    orgs = client.get("/orgs/")
    assert orgs.status_code == 200
    assert f"共 {Organization.objects.count()} 个单位" in page_text(orgs)
    assert client.get("/orgs/new/").status_code == 200
    case = Case.objects.first()
    assert case is not None
    assert client.get("/cases/").status_code == 403
    assert client.get(f"/cases/{case.pk}/").status_code in (403, 404)


def test_system_admin_sees_the_holiday_banner_and_no_case(monkeypatch: Any) -> None:
    # given a calendar that knows no year yet
    from fengqiao.disputes import deadlines

    monkeypatch.setattr(deadlines, "known_years", lambda: set())
    client, landing = login("sysadmin")

    # then the system administrator is told to import the holiday schedule
    assert 'id="calendar-warning"' in landing.content.decode()
    assert "尚未导入" in page_text(landing)
    # with a link to the import, and 基础数据 in the menu
    html = landing.content.decode()
    assert 'href="/admin/disputes/holidayschedule/import/">导入节假日安排</a>' in html
    assert client.get("/admin/disputes/holidayschedule/import/").status_code == 200
    assert '<a class="nav-link" href="/admin/">基础数据</a>' in html
    assert client.get("/admin/").status_code == 200
    assert client.get("/accounts/users/").status_code == 200
    # and sees no case (三员分立)
    case = Case.objects.first()
    assert case is not None
    assert client.get("/cases/").status_code == 403
    assert client.get(f"/cases/{case.pk}/").status_code in (403, 404)
    assert "纠纷案件" not in page_text(landing)
    # while a dispatcher, who keeps no calendar, is not told
    _client, dispatcher_landing = login("dispatcher")
    assert 'id="calendar-warning"' not in dispatcher_landing.content.decode()


@pytest.mark.parametrize(
    ("username", "own_page"), [("secadmin", "/accounts/roles/"), ("auditor", "/audit/")]
)
def test_security_admin_and_auditor_do_their_own_work_and_see_no_case(
    username: str, own_page: str
) -> None:
    client, landing = login(username)
    assert client.get(own_page).status_code == 200
    assert "纠纷案件" not in page_text(landing)
    case = Case.objects.first()
    assert case is not None
    assert client.get("/cases/").status_code == 403
    assert client.get(f"/cases/{case.pk}/").status_code in (403, 404)
    assert client.get("/cases/my/").status_code == 403
