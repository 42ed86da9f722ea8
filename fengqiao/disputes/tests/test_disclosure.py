"""Who is shown what of a party (``disputes/disclosure.py``, the table in docs/security.md): every
member of the cast on the real case list, case page and the audited reveal; the API and the
ledger export have their own tests beside them."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import IntakeChannel, PartyRole
from fengqiao.disputes.disclosure import (
    ID_NUMBER,
    PHONE,
    case_disclosure,
    disclosures,
    names_in_full_q,
)
from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import case_sides
from fengqiao.disputes.services.errors import PartyInput
from fengqiao.disputes.services.intake import IntakeReport, case_repeat_report
from fengqiao.disputes.tests.factories import consent_and_notify, handled_case, register_case
from fengqiao.web.tests.html import page_text, table_text, xlsx_text

ID_FULL, ID_MASKED = "990102198001011234", "990***********1234"
PHONE_FULL, PHONE_MASKED = "13800001111", "138****1111"
FULL, MASKED = "full", "masked"

# What each member of the cast is shown of a 东村 case a grid worker reported and 东村's
# committee handles: names (full/masked; None: the case is not theirs to see) and what they may
# reveal.
EXPECTED: dict[str, tuple[str | None, set[str]]] = {
    "mediator_east": (FULL, {PHONE, ID_NUMBER}),  # the handling org
    "dispatcher": (FULL, {PHONE}),  # the platform holding it
    "county_dispatcher": (FULL, {PHONE}),  # the platform above it
    "grid_worker": (FULL, set()),  # who reported it
    "leader": (MASKED, set()),  # county-wide, read only
    "justice_officer": (MASKED, set()),  # 司法所: supervision in the township
    "court_clerk": (MASKED, set()),  # the tribunal paired with 东村
    "judge": (MASKED, set()),
    "room_mediator": (MASKED, set()),  # the tribunal's room: the township
    "industry_mediator": (MASKED, set()),  # a county committee
    "mediator_west": (None, set()),
    "police": (None, set()),
    "citizen": (None, set()),
    "outsider": (None, set()),
    "system_admin": (None, set()),
    "security_admin": (None, set()),
    "auditor": (None, set()),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_role_sees_party_data_by_need_on_the_list_and_the_case_page(
    who: str, cast: Any, world: Any, client_for: Any
) -> None:
    # Given the handled case and one member of the cast
    case = handled_case(cast, world)
    names, reveals = EXPECTED[who]
    client = client_for(getattr(cast, who))
    page = client.get(f"/cases/{case.pk}/")
    listed = client.get("/cases/")
    if names is None:
        # then a case they may not see shows nothing of it
        assert page.status_code in (403, 404)
        assert listed.status_code == 403 or "张" not in table_text(listed, "case-list")
        return
    parties = table_text(page, "parties")
    in_list = table_text(listed, "case-list")
    # then names are whole for those who work the case and masked for the others
    if names == FULL:
        assert "张三" in parties
        assert "李四" in parties
        assert "张三、李四" in in_list
    else:
        assert "张*" in parties
        assert "李*" in parties
        assert "张*、李*" in in_list
        for text in (page_text(page), in_list):
            assert "张三" not in text
            assert "李四" not in text
    # and ID numbers and phones are masked for everyone, on the page and in the list
    assert ID_MASKED in parties
    assert PHONE_MASKED in parties
    for text in (page.content.decode(), listed.content.decode()):
        assert ID_FULL not in text
        assert PHONE_FULL not in text
    # and the page offers the reveal exactly to those who may make it, of what they may reveal
    html = page.content.decode()
    assert ("/reveal/" in html) == bool(reveals)
    applicant = case.parties.get(name="张三")
    row = re.search(rf'<tr id="party-{applicant.pk}".*?</tr>', html, re.S)
    assert row is not None
    assert ("查看完整号码" in row.group(0)) == (ID_NUMBER in reveals)
    assert ("查看完整电话" in row.group(0)) == (reveals == {PHONE})


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_reveal_shows_only_what_the_role_needs_and_is_audited(
    who: str, cast: Any, world: Any, client_for: Any
) -> None:
    case = handled_case(cast, world)
    applicant = case.parties.get(name="张三")
    reveals = EXPECTED[who][1]
    client = client_for(getattr(cast, who))
    # A reveal is a POST: a link or a prefetch cannot make one
    url = f"/cases/{case.pk}/parties/{applicant.pk}/reveal/"
    assert client.get(url).status_code in (302, 403, 405)
    # When they ask for the applicant's full numbers
    response = client.post(url, HTTP_HX_REQUEST="true")
    events = AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED)
    if not reveals:
        # then whoever's side does not need them is refused and nothing is recorded
        assert response.status_code in (403, 404)
        assert ID_FULL not in response.content.decode()
        assert PHONE_FULL not in response.content.decode()
        assert not events.exists()
        return
    # then they get what their side needs, uncached, and no more
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert (PHONE_FULL in html) == (PHONE in reveals)
    assert (ID_FULL in html) == (ID_NUMBER in reveals)
    assert (ID_MASKED in html) == (ID_NUMBER not in reveals)
    # and the viewing is in the audit log: who, which party, which fields — never the values
    event = events.get()
    assert event.actor == getattr(cast, who)
    assert (event.object_type, event.object_id) == ("disputes.party", str(applicant.pk))
    assert sorted(event.after["fields"]) == sorted(reveals)
    recorded = f"{event.object_repr} {event.before} {event.after}"
    for value in (ID_FULL, PHONE_FULL, "张三"):
        assert value not in recorded


def test_reveal_of_a_party_of_another_case_is_not_found(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = handled_case(cast, world)
    other = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_west
    )
    stranger = other.parties.first()
    assert stranger is not None
    response = client_for(cast.mediator_east).post(
        f"/cases/{case.pk}/parties/{stranger.pk}/reveal/"
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).exists()


def test_reveal_without_htmx_is_a_page_of_its_own(cast: Any, world: Any, client_for: Any) -> None:
    case = handled_case(cast, world)
    applicant = case.parties.get(name="张三")
    response = client_for(cast.mediator_east).post(
        f"/cases/{case.pk}/parties/{applicant.pk}/reveal/"
    )
    assert response.status_code == 200
    text = page_text(response)
    assert PHONE_FULL in text
    assert "返回案件" in text


def test_reveal_writes_no_personal_data_to_the_logs(
    cast: Any, world: Any, client_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    case = handled_case(cast, world)
    applicant = case.parties.get(name="张三")
    with caplog.at_level(logging.DEBUG):
        response = client_for(cast.mediator_east).post(
            f"/cases/{case.pk}/parties/{applicant.pk}/reveal/"
        )
        refused = client_for(cast.leader).post(f"/cases/{case.pk}/parties/{applicant.pk}/reveal/")
    assert response.status_code == 200
    assert refused.status_code == 403
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for value in (ID_FULL, PHONE_FULL, "张三"):
        assert value not in logged


def test_the_page_rule_agrees_with_the_policy_sides(cast: Any, world: Any) -> None:
    # The list computes a page's sides in bulk; for one case it must agree with the policy's
    # own on_side for every member of the cast (the sides it reads alike).
    case = handled_case(cast, world)
    case = Case.objects.select_related("platform").get(pk=case.pk)
    for user in cast.all().values():
        bulk = disclosures(user, [case])[case.pk]
        assert bulk == case_disclosure(user, case)
        sides = case_sides(user, case)
        assert bulk.sides == sides - {"archiver"}, user.username


def test_repeat_reports_and_consents_follow_the_rule(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given the handled case with every party's consent and the rights notice recorded, and
    # a second report of it by phone from a neighbour
    case = handled_case(cast, world)
    consent_and_notify(case, cast.mediator_east)
    case_repeat_report(
        actor=cast.dispatcher,
        case_id=case.pk,
        report=IntakeReport(
            channel=IntakeChannel.PHONE,
            category=case.category,
            region=world.village_east,
            title="排水沟又堵了",
            parties=(PartyInput(role=PartyRole.APPLICANT, name="王五", phone="13700003333"),),
        ),
    )
    handler = page_text(client_for(cast.mediator_east).get(f"/cases/{case.pk}/"))
    leader = page_text(client_for(cast.leader).get(f"/cases/{case.pk}/"))
    # the handler reads the names in the mediation record, the leader reads them masked
    assert "申请人 张三" in handler
    assert "张三" not in leader
    assert "李四" not in leader
    assert "申请人 张*" in leader
    # and the timeline (shown to both) names the party by role and masked name
    assert "申请人张*：同意" in leader
    assert "申请人张*：同意" in handler
    # and so do the 重复反映: whole for the handler, masked for the leader, phones masked
    assert "王五" in handler
    assert "王*" in leader
    assert "王五" not in leader
    assert "137****3333" in leader
    assert "13700003333" not in handler + leader


# The ledger (纠纷台账) of the case list: roles that may export (ledgers.export_ledger).
LEDGER = [
    ("dispatcher", "张三、李四"),
    ("county_dispatcher", "张三、李四"),
    ("leader", "张*、李*"),
    ("justice_officer", "张*、李*"),
]


@pytest.mark.parametrize(("who", "names"), LEDGER)
def test_ledger_export_names_parties_as_the_list_does_and_is_audited(
    who: str, names: str, cast: Any, world: Any, client_for: Any
) -> None:
    # Given the handled case and a role that may export
    case = handled_case(cast, world)
    user = getattr(cast, who)
    client = client_for(user)
    assert 'id="export-ledger"' in client.get("/cases/").content.decode()
    # when they export the list, searched by a keyword
    response = client.get("/ledgers/cases/", {"status": case.status, "q": "排水沟"})
    # then the ledger names the parties as the list does, and has no ID number or phone
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = xlsx_text(response)
    assert case.number in text
    assert names in text
    if "*" in names:
        assert "张三" not in text
    for value in (ID_FULL, PHONE_FULL, ID_MASKED, PHONE_MASKED):
        assert value not in text
    # and it carries who exported it, and is audited without the keyword
    assert "导出人" in text
    event = AuditEvent.objects.get(event_type=EventType.DATA_EXPORTED)
    assert event.actor == user
    assert event.after["rows"] == 1
    assert event.after["filters"] == {"status": case.status}
    assert event.after["keyword"] is True
    assert "排水沟" not in f"{event.object_repr} {event.after}"


def test_ledger_export_needs_the_export_permission(cast: Any, world: Any, client_for: Any) -> None:
    handled_case(cast, world)
    client = client_for(cast.grid_worker)
    assert 'id="export-ledger"' not in client.get("/cases/").content.decode()
    assert client.get("/ledgers/cases/").status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.DATA_EXPORTED).exists()


def test_the_search_filter_agrees_with_the_page_rule(cast: Any, world: Any) -> None:
    # Given cases on every kind of side: handled in 东村, held by 甲镇平安办 in 西村, escalated
    # to the county, and one a court sent
    handled = handled_case(cast, world)
    west = register_case(
        actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_west
    )
    county = register_case(
        actor=cast.county_dispatcher, platform=world.county_platform, region=world.village_south
    )
    sent = register_case(
        actor=cast.judge,
        platform=world.town_a_platform,
        region=world.village_east,
        channel=IntakeChannel.COURT_PRE,
    )
    cases = list(Case.objects.filter(pk__in=[handled.pk, west.pk, county.pk, sent.pk]))
    # then for every member of the cast the filter the name search uses selects exactly the
    # cases whose names the pages show them whole
    for user in cast.all().values():
        shown = disclosures(user, cases)
        whole = {pk for pk, d in shown.items() if d.full_names}
        filtered = set(
            Case.objects.filter(pk__in=[c.pk for c in cases])
            .filter(names_in_full_q(user))
            .values_list("pk", flat=True)
        )
        assert filtered == whole, user.username


def test_a_name_finds_a_case_only_for_who_reads_it_whole(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = handled_case(cast, world)
    # the handler and the platform find the case by a party's name
    for user in (cast.mediator_east, cast.dispatcher):
        found = table_text(client_for(user).get("/cases/", {"q": "张三"}), "case-list")
        assert case.number in found
    # a leader, who reads 张*, cannot confirm the name by typing it
    leader = client_for(cast.leader)
    assert case.number not in table_text(leader.get("/cases/", {"q": "张三"}), "case-list")
    # but finds the case by its number or its summary as before
    assert case.number in table_text(leader.get("/cases/", {"q": "排水沟"}), "case-list")
