"""Every action form on the case page, through the view: it works, bad input comes back in
Chinese with what was typed, and a refusal from the service is a message, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.utils import timezone

from fengqiao.audit.models import AuditEvent
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseStatus, DispatchRole, DispatchStatus, DueKind
from fengqiao.disputes.models import (
    Case,
    DueItem,
)
from fengqiao.disputes.tests.factories import consent_and_notify, register_case, start_mediation
from fengqiao.disputes.tests.test_views_common import (
    accept,
    assess,
    dispatch,
    east_case,
    fresh,
    to_mediating,
)
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.models import Agreement
from fengqiao.mediation.outcomes import (
    case_agree,
)
from fengqiao.web.tests.html import page_text, table_text


def act(client: Any, case: Case, action: str, **data: Any) -> Any:
    data.setdefault("version", fresh(case).version)
    return client.post(f"/cases/{case.pk}/act/{action}/", data)


def _ok(response: Any, case: Case) -> None:
    assert response.status_code == 302, page_text(response)[-600:]
    assert response["Location"] == f"/cases/{case.pk}/"


def block_text(response: Any, block_id: str) -> str:
    """The visible text of the outcome card with ``id=block_id`` (fails when it is missing)."""
    html = response.content.decode()
    match = re.search(rf'id="{re.escape(block_id)}"(.*?)</dl>', html, re.S)
    assert match is not None, f"no #{block_id} on the page"
    return unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def _flash(client: Any, case: Case) -> str:
    return page_text(client.get(f"/cases/{case.pk}/"))


# --- 研判 ---------------------------------------------------------------------------------------


def test_assess(cast: Any, world: Any, client_for: Any) -> None:
    case = east_case(cast, world)
    client = client_for(cast.dispatcher)
    response = act(
        client,
        case,
        "assess",
        category="housing_land",
        grade="high",
        people_count="12",
        amount="5000.50",
        flags=["group", "petition_risk"],
        lead_leader="",
        note="涉及多户",
    )
    _ok(response, case)
    case = fresh(case)
    assert case.status == CaseStatus.ASSESSED
    assert (case.category, case.grade, case.people_count) == ("housing_land", "high", 12)
    assert (case.flag_group, case.flag_petition_risk, case.flag_criminal_risk) == (
        True,
        True,
        False,
    )
    assert "研判结果已保存" in _flash(client, case)
    # The procedure is asked only on court 委托 cases
    assert 'id="id_assess_procedure"' not in client.get(f"/cases/{case.pk}/").content.decode()


def test_a_regrade_shows_what_changed_on_the_timeline(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given a case assessed 中 (邻里)
    case = east_case(cast, world)
    client = client_for(cast.dispatcher)
    fields = {"people_count": "2", "amount": "", "lead_leader": "", "note": "经现场核实"}
    _ok(act(client, case, "assess", category="neighbour", grade="medium", **fields), case)

    # when the dispatcher re-assesses it 低, as a 物业 dispute
    _ok(act(client, case, "assess", category="property_mgmt", grade="low", **fields), case)

    # then the timeline's last 研判 entry says what changed
    timeline = client.get(f"/cases/{case.pk}/").content.decode()
    timeline = timeline[timeline.index('id="timeline"') :]
    timeline = timeline[: timeline.index("</ol>")]
    entries = [unescape(re.sub(r"<[^>]+>", " ", e)) for e in timeline.split("<li")[1:]]
    last = " ".join(entries[-1].split())
    assert "风险等级：中 → 低" in last
    assert "纠纷类别：邻里 → 物业" in last
    assert "风险等级：低 → 中" in " ".join(entries[-2].split())


def test_a_grade_other_than_the_computed_one_needs_a_reason(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given a neighbours' quarrel the rules grade 低
    case = east_case(cast, world)
    client = client_for(cast.dispatcher)
    fields = {"category": "neighbour", "people_count": "2", "amount": "", "lead_leader": ""}
    _ok(act(client, case, "assess", grade="low", note="", **fields), case)
    assert fresh(case).grade == "low"

    # When the dispatcher raises it to 高 without a word of 研判意见
    response = act(client, case, "assess", grade="high", note="", **fields)

    # Then nothing changes and the page says what is missing, with the form as it was filled
    text = page_text(response)
    assert response.status_code == 400
    assert "系统评定的风险等级为“低”；调整为“高”须在研判意见中写明理由" in text
    assert fresh(case).grade == "low"
    # and with a reason the override stands and the reason is on the timeline
    _ok(act(client, case, "assess", grade="high", note="当事人扬言报复", **fields), case)
    assert fresh(case).grade == "high"
    assert "理由：当事人扬言报复" in client.get(f"/cases/{case.pk}/").content.decode()


def test_assess_records_the_procedure_of_a_court_entrusted_case(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world, channel="court_post")
    client = client_for(cast.dispatcher)
    assert 'id="id_assess_procedure"' in client.get(f"/cases/{case.pk}/").content.decode()
    fields = {"category": "neighbour", "grade": "low", "people_count": "2"}
    response = act(client, case, "assess", **fields, procedure="")
    assert response.status_code == 400
    assert "这个字段是必填项" in page_text(response)
    _ok(act(client, case, "assess", **fields, procedure="simplified"), case)
    assert fresh(case).procedure == "simplified"
    assert "（简易程序）" in _flash(client, case)


def test_assess_bad_input_keeps_what_was_typed(cast: Any, world: Any, client_for: Any) -> None:
    case = east_case(cast, world)
    response = act(
        client_for(cast.dispatcher),
        case,
        "assess",
        category="neighbour",
        grade="low",
        people_count="0",
        note="待核实人数",
    )
    assert response.status_code == 400
    assert "确保该值大于或等于1" in page_text(response)
    assert "待核实人数" in page_text(response)
    assert '<details class="list-group-item" id="act-assess" open>' in response.content.decode()
    assert fresh(case).status == CaseStatus.REGISTERED


def test_assess_by_a_leader_is_refused_with_a_message(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world)
    response = act(
        client_for(cast.leader), case, "assess", category="neighbour", grade="low", people_count=2
    )
    assert response.status_code == 403
    assert "无权" in page_text(response)
    assert fresh(case).status == CaseStatus.REGISTERED


def test_actions_on_another_village_case_are_not_found(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world)
    response = act(client_for(cast.mediator_west), case, "withdraw", reason="x")
    assert response.status_code == 404


def test_unknown_action_and_get_are_refused(cast: Any, world: Any, client_for: Any) -> None:
    case = east_case(cast, world)
    client = client_for(cast.dispatcher)
    assert act(client, case, "explode").status_code == 404
    assert client.get(f"/cases/{case.pk}/act/assess/").status_code == 405


def test_stale_version_says_someone_else_handled_it(cast: Any, world: Any, client_for: Any) -> None:
    # Given the dispatcher's page rendered at version 1
    case = east_case(cast, world)
    rendered_at = case.version
    # when the case is assessed meanwhile (by the dispatcher, in another tab)
    assess(case, cast)
    # and the dispatcher submits a rejection from the old page
    response = act(
        client_for(cast.dispatcher),
        case,
        "reject",
        version=rendered_at,
        reason="已起诉至法院",
        receiver="甲镇人民法庭",
    )
    # then the page says so clearly and keeps the reason typed
    assert response.status_code == 409
    text = page_text(response)
    assert f"案件{case.number}已在另一页面中办理" in text
    # (what changed since the page was opened)
    assert "未保存" in text
    assert "研判" in text
    assert "请刷新" in text
    assert "已起诉至法院" in text
    assert fresh(case).status == CaseStatus.ASSESSED


def test_action_not_allowed_in_this_state_is_a_message(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world)
    response = act(client_for(cast.mediator_east), case, "archive")
    assert response.status_code == 400
    assert "案件当前状态为“已登记”，不能执行“归档”" in page_text(response)
    assert fresh(case).status == CaseStatus.REGISTERED


# --- 交办, 受理, 退回 ---------------------------------------------------------------------------


def test_dispatch_to_one_committee(cast: Any, world: Any, client_for: Any) -> None:
    case = assess(east_case(cast, world), cast)
    client = client_for(cast.dispatcher)
    form = client.get(f"/cases/{case.pk}/").context["action_forms"]
    choices = next(a["form"] for a in form if a["name"] == "dispatch").fields["orgs"].queryset
    assert world.committee_east in choices
    assert world.committee_south not in choices  # another township
    assert world.town_a_platform not in choices  # the case's own platform
    response = act(
        client,
        case,
        "dispatch",
        orgs=[world.committee_east.pk],
        suggested_mediator=world.mediator_east_person.pk,
        task="三日内上门",
    )
    _ok(response, case)
    order = fresh(case).dispatches.get()
    assert order.to_org == world.committee_east
    assert order.suggested_mediator == world.mediator_east_person
    assert fresh(case).status == CaseStatus.DISPATCHED


def test_joint_dispatch_with_a_lead(cast: Any, world: Any, client_for: Any) -> None:
    case = assess(east_case(cast, world), cast)
    response = act(
        client_for(cast.dispatcher),
        case,
        "dispatch",
        orgs=[world.committee_east.pk, world.committee_west.pk],
        lead=world.committee_west.pk,
        **{
            f"task_{world.committee_east.pk}": "协助了解东村一方情况",
            f"task_{world.committee_west.pk}": "主持调解",
        },
    )
    _ok(response, case)
    roles = dict(fresh(case).dispatches.values_list("to_org_id", "role"))
    assert roles == {
        world.committee_east.pk: DispatchRole.COORDINATING,
        world.committee_west.pk: DispatchRole.LEAD,
    }


@pytest.mark.parametrize(
    ("orgs", "lead", "message"),
    [
        ([], "", "请选择承办单位"),
        (["east"], "west", "主调方必须是所选承办单位之一"),
        (["south"], "", "选择一个有效的选项"),
    ],
)
def test_dispatch_errors(
    orgs: list[str], lead: str, message: str, cast: Any, world: Any, client_for: Any
) -> None:
    by_name = {
        "east": world.committee_east,
        "west": world.committee_west,
        "south": world.committee_south,
    }
    case = assess(east_case(cast, world), cast)
    response = act(
        client_for(cast.dispatcher),
        case,
        "dispatch",
        orgs=[by_name[o].pk for o in orgs],
        lead=by_name[lead].pk if lead else "",
        **{f"task_{world.committee_east.pk}": "请尽快联系双方"},
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert "请尽快联系双方" in page_text(response)
    assert not fresh(case).dispatches.exists()


def test_accept_from_the_worklist(cast: Any, world: Any, client_for: Any) -> None:
    case = dispatch(assess(east_case(cast, world), cast), cast, world)
    order = case.dispatches.get()
    client = client_for(cast.mediator_east)
    response = client.post(
        f"/cases/orders/{order.pk}/accept/", {"version": case.version, "next": "/cases/my/"}
    )
    assert response["Location"] == "/cases/my/"
    case = fresh(case)
    assert case.status == CaseStatus.ACCEPTED
    assert case.handling_org == world.committee_east
    assert "已受理案件" in page_text(client.get("/cases/my/"))


def test_accept_redirect_stays_on_the_site(cast: Any, world: Any, client_for: Any) -> None:
    case = dispatch(assess(east_case(cast, world), cast), cast, world)
    order = case.dispatches.get()
    response = client_for(cast.mediator_east).post(
        f"/cases/orders/{order.pk}/accept/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/cases/{case.pk}/"


def test_orders_of_another_org_are_not_found(cast: Any, world: Any, client_for: Any) -> None:
    case = dispatch(assess(east_case(cast, world), cast), cast, world)
    order = case.dispatches.get()
    for who in (cast.mediator_west, cast.dispatcher, cast.leader):
        assert client_for(who).post(f"/cases/orders/{order.pk}/accept/").status_code == 404
    assert fresh(case).status == CaseStatus.DISPATCHED


def test_stale_accept_is_a_message(cast: Any, world: Any, client_for: Any) -> None:
    case = dispatch(assess(east_case(cast, world), cast), cast, world)
    order = case.dispatches.get()
    response = client_for(cast.mediator_east).post(
        f"/cases/orders/{order.pk}/accept/", {"version": case.version - 1}, follow=True
    )
    assert "已被他人处理" in page_text(response)
    assert fresh(case).status == CaseStatus.DISPATCHED


def test_return_needs_a_reason(cast: Any, world: Any, client_for: Any) -> None:
    case = dispatch(assess(east_case(cast, world), cast), cast, world)
    order = case.dispatches.get()
    client = client_for(cast.mediator_east)
    response = client.post(f"/cases/orders/{order.pk}/return/", {"reason": " "}, follow=True)
    assert "退回必须说明理由" in page_text(response)
    assert fresh(case).status == CaseStatus.DISPATCHED
    client.post(f"/cases/orders/{order.pk}/return/", {"reason": "不属本村"})
    assert fresh(case).status == CaseStatus.ASSESSED
    order.refresh_from_db()
    assert (order.status, order.return_reason) == (DispatchStatus.RETURNED, "不属本村")


def test_escalate_moves_the_case_up(cast: Any, world: Any, client_for: Any) -> None:
    case = assess(east_case(cast, world), cast)
    client = client_for(cast.dispatcher)
    assert act(client, case, "escalate", reason="").status_code == 400
    _ok(act(client, case, "escalate", reason="涉及两镇"), case)
    assert fresh(case).platform == world.county_platform


def test_escalate_without_an_upper_platform_is_a_message(
    cast: Any, world: Any, client_for: Any
) -> None:
    county_dispatcher = cast.county_dispatcher
    case = register_case(
        actor=county_dispatcher, platform=world.county_platform, region=world.village_south
    )
    client = client_for(county_dispatcher)
    _ok(act(client, case, "assess", category="neighbour", grade="low", people_count=2), case)
    response = act(client, case, "escalate", reason="上报试试")
    assert response.status_code == 400
    assert "没有上级平台" in page_text(response)
    assert fresh(case).platform == world.county_platform


# --- Mediation ----------------------------------------------------------------------------------


def test_start_is_offered_only_after_consent_and_rights_notice(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given an accepted case whose parties have not yet been asked
    case = accept(dispatch(assess(east_case(cast, world), cast), cast, world), cast)
    client = client_for(cast.mediator_east)
    assert 'id="act-start"' not in client.get(f"/cases/{case.pk}/").content.decode()
    # A start posted anyway (an old form) is refused with the reason, the case stays accepted
    response = act(client, case, "start", note="首次调解")
    assert response.status_code == 400
    assert "尚未记录全部申请人和被申请人同意调解，不能开始调解" in page_text(response)
    assert fresh(case).status == CaseStatus.ACCEPTED

    consent_and_notify(case, cast.mediator_east)

    assert 'id="act-start"' in client.get(f"/cases/{case.pk}/").content.decode()
    _ok(act(client, case, "start", note="首次调解"), case)
    assert fresh(case).status == CaseStatus.MEDIATING


def test_a_refusal_mid_mediation_takes_agree_off_the_page(
    cast: Any, world: Any, client_for: Any
) -> None:
    from fengqiao.mediation.choices import ConsentDecision, ContactMethod
    from fengqiao.mediation.services import consent_record

    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    assert 'id="act-agree"' in client.get(f"/cases/{case.pk}/").content.decode()
    # When the respondent now clearly refuses
    consent_record(
        actor=cast.mediator_east,
        case_id=case.pk,
        party_id=case.parties.get(role="respondent").pk,
        decision=ConsentDecision.REFUSED,
        method=ContactMethod.PHONE,
    )
    # Then 达成协议 is gone, 转出 and 调解不成 stay, and an agreement posted anyway is refused
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="act-agree"' not in body
    assert 'id="act-refer"' in body
    assert 'id="act-fail"' in body
    response = act(client, case, "agree", kind="oral", terms="口头约定十日内疏通")
    assert response.status_code == 400
    assert "第十七条" in page_text(response)
    assert "转出" in page_text(response)
    assert fresh(case).status == CaseStatus.MEDIATING


def test_start_suspend_resume(cast: Any, world: Any, client_for: Any) -> None:
    case = accept(dispatch(assess(east_case(cast, world), cast), cast, world), cast)
    consent_and_notify(case, cast.mediator_east)
    client = client_for(cast.mediator_east)
    _ok(act(client, case, "start", note="首次调解"), case)
    assert fresh(case).status == CaseStatus.MEDIATING
    response = act(client, case, "suspend", reason="")
    assert response.status_code == 400
    assert "这个字段是必填项" in page_text(response)
    _ok(act(client, case, "suspend", reason="当事人住院"), case)
    assert fresh(case).status == CaseStatus.SUSPENDED
    assert DueItem.objects.get(case=case, kind=DueKind.MEDIATION).paused_at is not None
    assert "已暂停计时" in page_text(client.get(f"/cases/{case.pk}/"))
    _ok(act(client, case, "resume"), case)
    assert fresh(case).status == CaseStatus.MEDIATING


def test_extend_needs_both_consents(cast: Any, world: Any, client_for: Any) -> None:
    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    due = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    response = act(client, case, "extend", days="20", applicant_consents="on", note="双方同意再谈")
    assert response.status_code == 400
    assert "延长调解期限须经双方当事人同意" in page_text(response)
    assert 'value="20"' in response.content.decode()
    assert "双方同意再谈" in page_text(response)
    _ok(
        act(
            client,
            case,
            "extend",
            days="20",
            applicant_consents="on",
            respondent_consents="on",
        ),
        case,
    )
    extended = DueItem.objects.get(pk=due.pk)
    # 20 days on, or the end of the next working day when that day is off (民法典 art. 203).
    assert extended.due_at == deadlines.next_working_day_if_off(due.due_at + timedelta(days=20))
    assert (extended.due_at - due.due_at).days >= 20


def test_agree_written_with_the_article_29_fields(cast: Any, world: Any, client_for: Any) -> None:
    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    fields = {
        "kind": "written",
        "facts": "排水沟堵塞致张家院内积水",
        "disputed_points": "疏通责任",
        "responsibilities": "李四负主要责任",
        "terms": "李四于十日内疏通排水沟",
        "performance_method": "自行疏通",
        "performance_place": "东村3组",
        "performance_deadline": (timezone.localdate() + timezone.timedelta(days=10)).isoformat(),
    }
    response = act(client, case, "agree", **{**fields, "terms": ""})
    assert response.status_code == 400
    assert "协议内容不能为空" in page_text(response)
    assert "李四负主要责任" in page_text(response)
    _ok(act(client, case, "agree", **fields), case)
    assert fresh(case).status == CaseStatus.RESOLVED
    agreement = Agreement.objects.get(case=case)
    assert agreement.disputed_points == "疏通责任"
    assert "李四于十日内疏通排水沟" in page_text(client.get(f"/cases/{case.pk}/"))


def test_fail_records_undisputed_facts(cast: Any, world: Any, client_for: Any) -> None:
    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    assert act(client, case, "fail", undisputed_facts="").status_code == 400
    _ok(act(client, case, "fail", undisputed_facts="双方确认排水沟位置"), case)
    assert fresh(case).status == CaseStatus.FAILED
    page = client.get(f"/cases/{case.pk}/")
    failure = block_text(page, "failure")
    assert "无争议事实记载" in failure
    assert "双方确认排水沟位置" in failure


def test_refer_and_archive(cast: Any, world: Any, client_for: Any) -> None:
    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    response = act(client, case, "refer", target="litigation", receiver="")
    assert response.status_code == 400
    _ok(act(client, case, "refer", target="litigation", receiver="甲镇人民法庭"), case)
    assert fresh(case).status == CaseStatus.REFERRED_OUT
    referral = block_text(client.get(f"/cases/{case.pk}/"), "referral")
    assert "诉讼（人民法院）" in referral
    assert "甲镇人民法庭" in referral
    _ok(act(client, case, "archive"), case)
    archived = fresh(case)
    assert archived.status == CaseStatus.ARCHIVED
    page = client.get(f"/cases/{case.pk}/")
    assert "人调字第" in page_text(page)
    # the 交办单 东村 accepted is settled with the case, not left 已受理
    orders = table_text(page, "orders")
    assert "已办结" in orders
    assert "已受理" not in orders
    assert case.dispatches.get().status == DispatchStatus.DONE
    # and 东村 still sees the case it worked on
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_reject_and_withdraw(cast: Any, world: Any, client_for: Any) -> None:
    rejected, withdrawn = east_case(cast, world), east_case(cast, world, title="撤回的")
    dispatcher = client_for(cast.dispatcher)
    _ok(act(dispatcher, rejected, "reject", reason="已起诉", receiver="甲镇人民法庭"), rejected)
    assert fresh(rejected).status == CaseStatus.REFERRED_OUT
    assert act(dispatcher, withdrawn, "withdraw", reason="").status_code == 400
    _ok(act(dispatcher, withdrawn, "withdraw", reason="申请人撤回"), withdrawn)
    assert fresh(withdrawn).status == CaseStatus.WITHDRAWN


def test_follow_up_is_offered_once_closed(cast: Any, world: Any, client_for: Any) -> None:
    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    assert 'id="act-follow_up"' not in client.get(f"/cases/{case.pk}/").content.decode()
    _ok(act(client, case, "agree", kind="oral", terms="口头约定十日内疏通"), case)
    assert 'id="act-follow_up"' in client.get(f"/cases/{case.pk}/").content.decode()
    response = act(client, case, "follow_up", satisfaction="6", comment="基本满意")
    assert response.status_code == 400
    assert "选择一个有效的选项" in page_text(response)
    assert "基本满意" in page_text(response)
    _ok(act(client, case, "follow_up", satisfaction="4", comment="基本满意"), case)
    assert fresh(case).follow_ups.get().satisfaction == 4


def test_satisfaction_is_offered_and_shown_in_words(cast: Any, world: Any, client_for: Any) -> None:
    # given a case closed with an agreement
    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    _ok(act(client, case, "agree", kind="oral", terms="口头约定十日内疏通"), case)

    # then the 回访 form's radios read 非常满意 … 非常不满意, best first
    html = client.get(f"/cases/{case.pk}/").content.decode()
    form = html[html.index('id="act-follow_up"') :]
    radio = r'name="satisfaction" value="(\d)"[^>]*>\s*<label[^>]*>([^<]+)</label>'
    labels = re.findall(radio, form)
    assert labels == [
        ("5", "非常满意"),
        ("4", "满意"),
        ("3", "基本满意"),
        ("2", "不满意"),
        ("1", "非常不满意"),
    ]

    # and a recorded visit shows its satisfaction in words, not "2 / 5"
    _ok(act(client, case, "follow_up", satisfaction="2", comment="履行慢"), case)
    response = client.get(f"/cases/{case.pk}/")
    assert "满意度：不满意" in page_text(response)
    assert "2 / 5" not in page_text(response)
    assert "不满意" in table_text(response, "follow-ups")


def test_a_wrong_visit_is_corrected_with_a_reason_and_audited(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given a closed case whose visit was recorded 不满意 by mistake
    case = to_mediating(east_case(cast, world), cast, world)
    client = client_for(cast.mediator_east)
    _ok(act(client, case, "agree", kind="oral", terms="口头约定十日内疏通"), case)
    _ok(act(client, case, "follow_up", satisfaction="2", comment="履行慢"), case)
    visit = fresh(case).follow_ups.get()
    assert 'id="act-follow_up_correct"' in client.get(f"/cases/{case.pk}/").content.decode()

    # when the mediator corrects it without a reason, then with one
    fields = {"follow_up": str(visit.pk), "satisfaction": "4", "comment": "已按期履行"}
    refused = act(client, case, "follow_up_correct", **fields, reason="")
    assert refused.status_code == 400
    assert "这个字段是必填项" in page_text(refused)
    assert not case.timeline.filter(action="follow_up_correct").exists()
    _ok(act(client, case, "follow_up_correct", **fields, reason="误选满意度"), case)

    # then the visit reads 满意, the timeline keeps 不满意 → 满意 and the reason
    visit.refresh_from_db()
    assert (visit.satisfaction, visit.comment) == (4, "已按期履行")
    response = client.get(f"/cases/{case.pk}/")
    assert "满意" in table_text(response, "follow-ups")
    assert "不满意" not in table_text(response, "follow-ups")
    event = case.timeline.get(action="follow_up_correct")
    assert event.note == "误选满意度"
    assert "满意度：不满意→满意" in "".join(page_text(response).split())
    assert "更正回访" in page_text(response)
    # and the audit log holds what it said before
    audit = AuditEvent.objects.filter(after__follow_up=visit.pk).latest("pk")
    assert audit.before["satisfaction"] == 2
    assert audit.after["satisfaction"] == 4
    # another village's mediator cannot correct it
    other = act(client_for(cast.mediator_west), case, "follow_up_correct", **fields, reason="x")
    assert other.status_code in (403, 404)


def test_follow_up_on_an_open_case_is_a_message(cast: Any, world: Any, client_for: Any) -> None:
    case = to_mediating(east_case(cast, world), cast, world)
    response = act(client_for(cast.mediator_east), case, "follow_up", satisfaction="5")
    assert response.status_code == 400
    assert "案件办结后才能回访" in page_text(response)


# --- Two tabs on one case -----------------------------------------------------------------------


def _assess_form(grade: str, version: int) -> dict[str, Any]:
    return {
        "version": version,
        "category": "neighbour",
        "grade": grade,
        "people_count": 2,
        "note": "经现场核实",
    }


def test_two_tabs_a_different_stale_assessment_is_refused_and_says_what_changed(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Given one case open in two tabs of the dispatcher, both at the same version
    case = east_case(cast, world)
    opened_at = case.version
    client = client_for(cast.dispatcher)
    # when the first tab assesses 中 (and shows the result)
    first = client.post(
        f"/cases/{case.pk}/act/assess/", _assess_form("medium", opened_at), follow=True
    )
    assert "研判结果已保存" in page_text(first)
    # and the second tab then assesses 重大 from the page it rendered before
    second = client.post(
        f"/cases/{case.pk}/act/assess/", _assess_form("major", opened_at), follow=True
    )
    # then nothing is said to be saved: the page says what changed, by whom, and that this
    # submission was not saved
    text = page_text(second)
    assert "研判结果已保存" not in text
    assert "未保存" in text
    assert "研判（风险等级：中" in text
    assert cast.dispatcher.display_name in text
    # and the case keeps the first tab's grade, with one assessment on its timeline
    assert fresh(case).grade == "medium"
    assert case.timeline.filter(action="assess").count() == 1


def test_two_tabs_the_same_assessment_twice_is_answered_already_done(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = east_case(cast, world)
    opened_at = case.version
    client = client_for(cast.dispatcher)
    first = client.post(
        f"/cases/{case.pk}/act/assess/", _assess_form("medium", opened_at), follow=True
    )
    assert "研判结果已保存" in page_text(first)
    again = client.post(
        f"/cases/{case.pk}/act/assess/", _assess_form("medium", opened_at), follow=True
    )
    text = page_text(again)
    assert "研判结果已保存" not in text
    assert "本次重复提交未再保存" in text
    assert case.timeline.filter(action="assess").count() == 1


def test_a_colleagues_stale_form_names_the_colleague(
    cast: Any, world: Any, client_for: Any
) -> None:
    # The county dispatcher and the township dispatcher open the same case
    case = east_case(cast, world)
    opened_at = case.version
    _ok(
        client_for(cast.dispatcher).post(
            f"/cases/{case.pk}/act/assess/", _assess_form("low", opened_at)
        ),
        case,
    )
    response = client_for(cast.county_dispatcher).post(
        f"/cases/{case.pk}/act/assess/", _assess_form("high", opened_at)
    )
    assert response.status_code == 409
    text = page_text(response)
    assert "已被他人处理" in text
    assert f"{cast.dispatcher.display_name} " in text
    assert fresh(case).grade == "low"


def test_a_follow_up_sent_twice_is_recorded_once(cast: Any, world: Any, client_for: Any) -> None:
    # Given a resolved case and the mediator's 回访 form, sent twice (a double click)
    case = accept(dispatch(assess(east_case(cast, world), cast), cast, world), cast)
    case = start_mediation(case, cast.mediator_east)
    case = case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.ORAL,
        terms="赔偿五百元",
    )
    client = client_for(cast.mediator_east)
    form = {"version": fresh(case).version, "satisfaction": 4, "comment": "双方满意"}
    first = client.post(f"/cases/{case.pk}/act/follow_up/", form, follow=True)
    assert "本次重复提交" not in page_text(first)
    again = client.post(f"/cases/{case.pk}/act/follow_up/", form, follow=True)
    # then one visit is kept and the second click is answered, not saved
    assert "本次重复提交未再保存" in page_text(again)
    assert case.follow_ups.count() == 1
    # and a different form rendered before the visit is refused, naming the visit
    stale = client.post(
        f"/cases/{case.pk}/act/follow_up/",
        {**form, "satisfaction": 2},
    )
    assert stale.status_code == 409
    assert "回访" in page_text(stale)
    assert case.follow_ups.count() == 1
