"""调解记录台账 on the test world (the demo county records no session), and a large export
handed to the task queue (我的导出)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.tests.factories import register_case
from fengqiao.ledgers.choices import ExportStatus
from fengqiao.ledgers.models import LedgerExport
from fengqiao.ledgers.tests.helpers import ledger_of, read_ledger
from fengqiao.mediation import services
from fengqiao.mediation.choices import ConsentDecision, ContactMethod, SessionMode
from fengqiao.mediation.tests.factories import accepted_case


def mediated_case(cast: Any, world: Any, outcome: str) -> Any:
    """东村's accepted case with consent, the rights notice and one session recorded."""
    case = accepted_case(cast=cast, world=world)
    for party in case.parties.all():
        services.consent_record(
            actor=cast.mediator_east,
            case_id=case.pk,
            party_id=party.pk,
            decision=ConsentDecision.CONSENTED,
            method=ContactMethod.IN_PERSON,
        )
    services.rights_notice_deliver(
        actor=cast.mediator_east,
        case_id=case.pk,
        method=ContactMethod.IN_PERSON,
        acknowledged_party_ids=case.parties.values_list("pk", flat=True),
    )
    services.session_record(
        actor=cast.mediator_east,
        case_id=case.pk,
        held_at=timezone.now(),
        mode=SessionMode.IN_PERSON,
        place="东村村委会",
        record="双方陈述了排水沟的情况，张三的电话13800001111。",
        outcome=outcome,
    )
    return case


def test_the_session_ledger_follows_the_case_lists_scope_filters_and_names(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a session on 东村's case, its outcome text formula-like
    case = mediated_case(cast, world, outcome="=双方同意再次协商")
    # when the handling mediator, the neighbouring village's mediator and the leader export it
    mine = ledger_of(client_for(cast.mediator_east).get("/ledgers/sessions/"))
    west = ledger_of(client_for(cast.mediator_west).get("/ledgers/sessions/"))
    leader = ledger_of(client_for(cast.leader).get("/ledgers/sessions/"))
    # then the mediator's holds it with the names in full, the leader's with them masked, and
    # the other village's nothing
    assert mine.column("案件编号") == [case.number]
    assert mine.column("当事人") == ["张三、李四"]
    assert mine.column("调解结果") == ["=双方同意再次协商"]
    assert mine.column("调解员") == [cast.mediator_east.display_name]
    assert leader.column("当事人") == ["张*、李*"]
    assert west.rows == []
    # and neither the record's free text nor a phone is in any of them
    for table in (mine, leader):
        assert "13800001111" not in table.text
        assert "排水沟的情况" not in table.text
    # with the case list's filters: a status the case is not in leaves it out
    client = client_for(cast.mediator_east)
    case.refresh_from_db()
    same = ledger_of(client.get("/ledgers/sessions/", {"status": case.status}))
    other = ledger_of(client.get("/ledgers/sessions/", {"status": CaseStatus.RESOLVED}))
    assert same.column("案件编号") == [case.number]
    assert other.rows == []


def test_a_large_export_goes_to_the_queue_and_is_downloaded_from_my_exports(
    cast: Any,
    world: Any,
    client_for: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Given more cases than the platform streams while the user waits
    settings.FENGQIAO_LEDGER_STREAM_MAX = 2
    for i in range(3):
        register_case(
            actor=cast.dispatcher,
            platform=world.town_a_platform,
            region=world.village_east,
            title=f"排水沟纠纷{i}",
        )
    client = client_for(cast.dispatcher)
    # when the dispatcher exports the case list (the queue runs the task on commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/ledgers/cases/", {"status": CaseStatus.REGISTERED, "q": "排水"})
    # then they are sent to 我的导出, where the export is ready with every row
    assert response.status_code == 302
    assert response["Location"] == "/ledgers/"
    export = LedgerExport.objects.get(user=cast.dispatcher)
    assert export.status == ExportStatus.DONE
    assert export.rows == 3
    assert export.expected_rows == 3
    assert export.params == {"status": CaseStatus.REGISTERED, "q": "排水"}
    page = client.get("/ledgers/").content.decode()
    assert f'href="/ledgers/exports/{export.pk}/"' in page
    # and the file is the ledger, watermarked, its export audited without the keyword
    download = client.get(f"/ledgers/exports/{export.pk}/")
    assert download.status_code == 200
    table = read_ledger(download.getvalue())
    assert sorted(table.column("纠纷简述")) == ["排水沟纠纷0", "排水沟纠纷1", "排水沟纠纷2"]
    assert table.preamble[1].startswith(f"导出人：{cast.dispatcher.display_name}")
    written = AuditEvent.objects.get(
        event_type=EventType.DATA_EXPORTED, object_type="ledgers.cases", object_id="ledger"
    )
    assert written.after["background"] is True
    assert written.after["rows"] == 3
    assert written.after["keyword"] is True
    assert "排水" not in str(written.after)
    downloads = AuditEvent.objects.filter(object_type="ledgers.cases", object_id=str(export.pk))
    assert downloads.count() == 1
    # and nobody else can download it
    for other in (cast.leader, cast.mediator_east):
        assert client_for(other).get(f"/ledgers/exports/{export.pk}/").status_code == 404


def test_a_queued_export_runs_with_the_scope_of_the_moment(
    cast: Any, world: Any, client_for: Any, settings: Any
) -> None:
    # Given a queued export whose user has lost the right to export since
    settings.FENGQIAO_LEDGER_STREAM_MAX = 0
    register_case(actor=cast.dispatcher, platform=world.town_a_platform, region=world.village_east)
    client_for(cast.mediator_east).get("/ledgers/cases/")
    export = LedgerExport.objects.get(user=cast.mediator_east)
    assert export.status == ExportStatus.QUEUED  # no commit in this test: not run yet
    cast.mediator_east.role_grants.all().delete()
    # when the queue runs it
    from fengqiao.ledgers.services import ledger_export_run

    done = ledger_export_run(export_id=export.pk)
    # then it is refused, with the reason shown in 我的导出, and nothing was written
    assert done is not None
    assert done.status == ExportStatus.FAILED
    assert done.error == "您已无权导出该台帐。"
    assert not done.storage_name
    # and a second delivery of the task does nothing
    assert ledger_export_run(export_id=export.pk) is None


@pytest.mark.parametrize("code", ["nothing", "cases-x"])
def test_an_unknown_ledger_is_not_found(code: str, cast: Any, client_for: Any) -> None:
    assert client_for(cast.leader).get(f"/ledgers/{code}/").status_code == 404
