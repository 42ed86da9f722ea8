"""Each ledger on the small demo county: it holds what its list page shows, page after page
(the same filters, the same scope), for every demo account that may export it; names masked as
the list masks them, no ID number or phone; watermarked and audited."""

from __future__ import annotations

import pytest
from django.test import Client

from fengqiao.accounts.access import restrict
from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.core.masking import mask_id_number, mask_phone
from fengqiao.court.models import Confirmation
from fengqiao.demo.accounts import DEMO_ACCOUNTS
from fengqiao.disputes.choices import CaseStatus, PartyKind
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.governance.models import ScreeningReport
from fengqiao.ledgers import registry
from fengqiao.ledgers.tests.helpers import Table, ledger_of
from fengqiao.risk.selectors import WARNING_TABS

pytestmark = pytest.mark.usefixtures("demo_county", "db")

USERNAMES = [a.username for a in DEMO_ACCOUNTS]


def client_of(username: str) -> tuple[User, Client]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    return user, client


def export(client: Client, code: str, params: dict[str, str] | None = None) -> Table:
    return ledger_of(client.get(f"/ledgers/{code}/", params or {}))


def case_numbers_on_screen(client: Client, params: dict[str, str]) -> list[str]:
    """The case list's rows, every page of it."""
    numbers: list[str] = []
    page = 1
    while True:
        response = client.get("/cases/", {**params, "page": str(page)})
        assert response.status_code == 200
        page_obj = response.context["page_obj"]
        numbers += [c.number for c in page_obj.object_list]
        if not page_obj.has_next():
            return numbers
        page += 1


CASE_FILTERS = [
    {},
    {"status": CaseStatus.RESOLVED},
    {"status": CaseStatus.MEDIATING, "grade": "low"},
    {"queue": "overdue"},
    {"since": "2020-01-01", "until": "2099-12-31", "category": "neighbour"},
]


@pytest.mark.parametrize("username", ["leader", "dispatcher", "mediator", "judge", "police"])
@pytest.mark.parametrize("params", CASE_FILTERS)
def test_the_case_ledger_holds_the_rows_of_the_list_with_the_same_filters(
    username: str, params: dict[str, str]
) -> None:
    # Given an account and the case list filtered
    _user, client = client_of(username)
    on_screen = case_numbers_on_screen(client, params)
    # when they export it
    table = export(client, "cases", params)
    # then the ledger holds the same cases, in the same order
    assert table.column("案件编号") == on_screen


def test_a_village_mediators_ledgers_hold_only_the_cases_they_see() -> None:
    # Given the mediator of township A's first village, and the cases of the whole county
    user, client = client_of("mediator")
    theirs = set(restrict(Case.objects.all(), user, VIEW_CASE).values_list("number", flat=True))
    every = set(Case.objects.values_list("number", flat=True))
    assert 0 < len(theirs) < len(every)
    # when they export the cases and the agreements with no filter at all
    cases = set(export(client, "cases").column("案件编号"))
    agreements = set(export(client, "agreements").column("案件编号"))
    # then the ledgers hold their cases only: every one of them, and none of another village
    assert cases == theirs
    assert agreements <= theirs
    assert agreements == set(
        Case.objects.filter(number__in=theirs, agreement__isnull=False).values_list(
            "number", flat=True
        )
    )
    other = User.objects.get(username="mediator2")
    elsewhere = set(restrict(Case.objects.all(), other, VIEW_CASE).values_list("number", flat=True))
    assert elsewhere - theirs
    assert not (cases & (elsewhere - theirs))


def test_the_leaders_ledger_masks_names_and_carries_no_id_number_or_phone() -> None:
    # Given the county leader (reads every case, works none: names masked on the list)
    _user, client = client_of("leader")
    # when they export the cases and the agreements
    for code in ("cases", "agreements"):
        table = export(client, code)
        text = table.text
        numbers = table.column("案件编号")
        assert numbers
        parties = Party.objects.filter(case__number__in=numbers).select_related("case")
        # then no phone or ID number of any party is in it, whole or masked
        for party in parties:
            for value, masked in (
                (party.phone, mask_phone(party.phone)),
                (party.id_number, mask_id_number(party.id_number)),
            ):
                if value:
                    assert value not in text
                    assert masked not in text
        # and each person's name in the 当事人 column is masked as the list masks it (the
        # 简述 is the list's too, as the registrant wrote it)
        shown = dict(zip(numbers, table.column("当事人"), strict=True))
        people = [p for p in parties if p.kind == PartyKind.PERSON and len(p.name) > 1]
        assert people
        for person in people:
            cell = shown[person.case.number]
            assert f"{person.name[0]}{'*' * (len(person.name) - 1)}" in cell
            assert person.name not in cell


@pytest.mark.parametrize("tab", ["", "to_accept", "to_rule", "decided", "nonsense"])
def test_the_confirmation_ledger_is_the_queue_tab(tab: str) -> None:
    _user, client = client_of("judge")
    response = client.get("/court/confirmations/", {"tab": tab})
    queue = response.context["queue"]
    assert 'id="export-ledger"' in response.content.decode()
    table = export(client, "confirmations", {"tab": tab})
    assert table.column("案件编号") == [row.confirmation.case.number for row in queue.rows]
    assert table.column("申请人") == [row.applicants for row in queue.rows]
    # the judge's court only
    courts = set(
        Confirmation.objects.filter(case__number__in=table.column("案件编号")).values_list(
            "court__name", flat=True
        )
    )
    assert len(courts) <= 1


def test_every_confirmation_tab_together_is_the_courts_applications() -> None:
    _user, client = client_of("judge")
    seen = []
    for tab in ("to_accept", "to_rule", "decided"):
        seen += export(client, "confirmations", {"tab": tab}).column("案件编号")
    assert seen
    judge_courts = Confirmation.objects.filter(case__number__in=seen).values("court")
    assert Confirmation.objects.filter(court__in=judge_courts).count() >= len(seen)


@pytest.mark.parametrize("username", ["leader", "dispatcher", "mediator", "police"])
@pytest.mark.parametrize("tab", ["awaiting", "open", "closed", ""])
def test_the_warning_ledger_is_the_pages_tab(username: str, tab: str) -> None:
    _user, client = client_of(username)
    response = client.get("/risk/warnings/", {"tab": tab} if tab else {})
    assert response.status_code == 200
    on_screen = [w.case.number for w in response.context["warnings"]]
    table = export(client, "warnings", {"tab": tab} if tab else {})
    assert table.column("案件编号") == on_screen
    assert table.preamble[-1] == f"范围：{WARNING_TABS[response.context['tab']]}"


def test_an_unknown_warning_tab_is_refused_as_on_the_page() -> None:
    _user, client = client_of("leader")
    assert client.get("/risk/warnings/", {"tab": "x"}).status_code == 404
    assert client.get("/ledgers/warnings/", {"tab": "x"}).status_code == 404


@pytest.mark.parametrize("username", ["leader", "dispatcher", "police", "judge"])
def test_the_meeting_ledger_is_the_meeting_list(username: str) -> None:
    _user, client = client_of(username)
    response = client.get("/governance/")
    on_screen = [(m.title, m.resolution_count) for m in response.context["meetings"]]
    table = export(client, "meetings")
    assert list(zip(table.column("会议名称"), table.column("决定事项"), strict=True)) == on_screen


@pytest.mark.parametrize("username", ["leader", "dispatcher", "mediator"])
def test_the_screening_ledger_holds_the_reports_of_the_boards_units(username: str) -> None:
    _user, client = client_of(username)
    for levels_params in ({}, {"level": "4"}, {"level": "6"}):
        response = client.get("/governance/screening/", levels_params)
        board = response.context["board"]
        assert board.pages == 1  # the demo county's units fit on one page
        units = [row.unit for row in board.rows]
        table = export(client, "screening", levels_params)
        expected = ScreeningReport.objects.filter(
            unit__in=units, plan__level=board.level, campaign__isnull=True
        )
        assert sorted(table.column("区划代码")) == sorted(r.unit.code for r in expected)
        assert set(table.column("报送单位")) <= {u.name for u in units}


def test_the_screening_ledger_of_a_campaign() -> None:
    _user, client = client_of("leader")
    campaign = ScreeningReport.objects.exclude(campaign=None).values("campaign").first()
    assert campaign is not None
    table = export(client, "screening", {"campaign": str(campaign["campaign"])})
    assert len(table.rows) == ScreeningReport.objects.filter(campaign=campaign["campaign"]).count()
    assert client.get("/ledgers/screening/", {"campaign": "999999"}).status_code == 404


@pytest.mark.parametrize("code", ["cases", "sessions", "agreements", "warnings", "meetings"])
def test_each_export_is_watermarked_and_audited(code: str) -> None:
    user, client = client_of("leader")
    table = export(client, code)
    assert table.preamble[0] == str(registry.kind(code).label)  # type: ignore[union-attr]
    assert table.preamble[1].startswith(f"导出人：{user.display_name}　导出时间：")
    event = AuditEvent.objects.filter(event_type=EventType.DATA_EXPORTED).latest("pk")
    assert event.actor == user
    assert event.object_type == f"ledgers.{code}"
    assert event.after["rows"] == len(table.rows)


def test_the_ledgers_page_lists_what_each_account_may_export() -> None:
    for username in USERNAMES:
        user, client = client_of(username)
        response = client.get("/ledgers/")
        kinds = registry.kinds_for(user)
        if not kinds:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        page = response.content.decode()
        for kind in registry.kinds():
            assert (f'data-ledger="{kind.code}"' in page) == (kind in kinds)
            answer = client.get(f"/ledgers/{kind.code}/").status_code
            assert answer == (200 if kind in kinds else 403), (username, kind.code, answer)
