"""Every timeline entry a person makes names the org they acted for — 陶梅（安湖村人民调解委员会）,
黄欣怡（秀田镇平安办） — as the demo's entries do: registering, 研判 and 交办 for the platform,
受理, the mediation record, 开始调解 and 达成协议 for the handling committee."""

from __future__ import annotations

from typing import Any

from fengqiao.disputes.services.dispatch import case_escalate
from fengqiao.disputes.tests.factories import register_case
from fengqiao.disputes.tests.test_views_common import east_case, fresh, to_mediating
from fengqiao.mediation.outcomes import case_agree
from fengqiao.web.tests.html import page_text


def test_each_entry_names_the_org_its_author_acted_for(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given a case the township dispatcher registers and sends to 东村, where it is mediated
    # and settled
    case = to_mediating(east_case(cast, world), cast, world)
    case_agree(actor=cast.mediator_east, case_id=case.pk, version=None, kind="oral", terms="和解")

    # then every entry of a person names the org: the 平安办's, then the committee's
    by_action = {e.action: e.org for e in fresh(case).timeline.exclude(actor=None)}
    platform = world.town_a_platform
    committee = world.committee_east
    assert by_action == {
        "register": platform,
        "assess": platform,
        "dispatch": platform,
        "accept": committee,
        "consent": committee,
        "rights_notice": committee,
        "start": committee,
        "agree": committee,
        "report_back": committee,
    }
    # and the case page says so
    text = " ".join(page_text(client_for(cast.dispatcher).get(f"/cases/{case.pk}/")).split())
    assert f"开始调解 {cast.mediator_east.display_name}（{committee.name}）" in text


def test_a_grid_worker_and_a_county_dispatcher_are_named_with_their_own_org(
    cast: Any, world: Any
) -> None:
    # a grid worker's report: their village committee
    report = register_case(
        actor=cast.grid_worker, platform=world.town_a_platform, region=world.village_east
    )
    assert report.timeline.get().org == world.committee_east
    # the county dispatcher acting on a township case: the county 综治中心
    case = to_mediating(east_case(cast, world), cast, world)
    case_escalate(actor=cast.county_dispatcher, case_id=case.pk, version=None, reason="涉众")
    assert fresh(case).timeline.get(action="escalate").org == world.county_platform
