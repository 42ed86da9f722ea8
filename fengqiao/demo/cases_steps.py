"""The demo case simulation's steps: one method per workflow action."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from django.utils import timezone

from fengqiao.demo.cases_data import REFER_TARGETS, SATISFACTION, A, S
from fengqiao.demo.cases_sim import SimBase, working_days_after
from fengqiao.disputes import clocks, deadlines
from fengqiao.disputes.choices import (
    CourtProcedure,
    DispatchRole,
    DispatchStatus,
    DueKind,
    DueStatus,
    IntakeChannel,
    PeriodUnit,
)
from fengqiao.disputes.disclosure import MASKED
from fengqiao.disputes.models import (
    DispatchOrder,
    Referral,
)
from fengqiao.mediation.choices import AgreementKind, ConsentDecision, ContactMethod
from fengqiao.mediation.consent import CONSENTING_ROLES
from fengqiao.mediation.models import Agreement, Failure, FollowUp, PartyConsent, RightsNotice
from fengqiao.orgs.models import Organization


class Sim(SimBase):
    # -- actions ------------------------------------------------------------------------------

    def do_register(self) -> None:
        self.event(
            "register", self.case.platform, to=S.REGISTERED, data={"channel": self.case.channel}
        )

    def do_assess(self) -> None:
        c = self.case
        flags = [
            n
            for n, on in (
                ("group", c.flag_group),
                ("criminal_risk", c.flag_criminal_risk),
                ("petition_risk", c.flag_petition_risk),
                ("vulnerable", c.flag_vulnerable),
                ("sensitive", c.flag_sensitive),
            )
            if on
        ]
        data: dict[str, Any] = {"category": c.category, "grade": c.grade, "flags": flags}
        if c.channel == IntakeChannel.COURT_POST and not c.procedure:
            # The court's 委托 names its procedure: simplified for the smaller disputes.
            simplified = self.g.chance(0.4)
            c.procedure = CourtProcedure.SIMPLIFIED if simplified else CourtProcedure.ORDINARY
            data["procedure"] = c.procedure
        self.event("assess", c.platform, data=data)

    def do_dispatch(self, orgs: list[Organization]) -> None:
        joint = len(orgs) > 1
        _name, user_id = self.g.actor(self.case.platform)
        for i, org in enumerate(orgs):
            days = self.g.limit(DueKind.ACCEPT, org, self.case.grade)
            accept_by = working_days_after(self.at, days)
            role = (
                DispatchRole.SOLE
                if not joint
                else (DispatchRole.LEAD if i == 0 else DispatchRole.COORDINATING)
            )
            order = DispatchOrder(
                case=self.case,
                from_org=self.case.platform,
                to_org=org,
                role=role,
                status=DispatchStatus.PENDING,
                task="请及时受理并组织调解，按期反馈结果。",
                dispatched_by_id=user_id,
                dispatched_at=self.at,
                accept_by=accept_by,
            )
            self.orders.append(order)
            self.due(
                DueKind.ACCEPT,
                org,
                accept_by,
                order,
                period=deadlines.Period(PeriodUnit.WORKING_DAYS, days),
            )
        self.event(
            "dispatch", self.case.platform, data={"orgs": orgs, "lead": orgs[0] if joint else None}
        )

    def answer(self, order: DispatchOrder, status: str) -> None:
        order.status, order.responded_at = status, self.at
        _name, order.responded_by_id = self.g.actor(order.to_org)
        for item in self.dues:
            if item.dispatch is order and item.status == DueStatus.OPEN:
                item.status = (
                    DueStatus.DONE if status == DispatchStatus.ACCEPTED else (DueStatus.CANCELLED)
                )
                item.next_check_at = None

    def do_accept(self, joint: bool = False) -> None:
        pending = self.live(DispatchStatus.PENDING)
        lead = pending[0]
        self.answer(lead, DispatchStatus.ACCEPTED)
        case = self.case
        case.handling_org = lead.to_org
        handler = self.spec.handler
        if handler is None:
            for username, (org, _village) in self.g.w.mediator_orgs.items():
                user = self.g.w.users.get(username)
                if org == lead.to_org and user and self.g.chance(0.6):
                    handler = user
        case.handler = handler
        if handler is None:
            # Another of the org's mediators, chosen by the case's registration and title: the
            # same mediator on every machine, without drawing from the generator (the rest of
            # the history stays as it was).
            staff = self.g.w.handlers.get(lead.to_org.pk, [])
            if staff:
                key = f"{case.registered_at.isoformat()} {case.title}".encode()
                case.handler_id = staff[zlib.crc32(key) % len(staff)]
        if case.handler_id is not None:
            lead.responded_by_id = case.handler_id
        self.event("accept", lead.to_org, data={"dispatch": lead, "role": lead.role})
        clock = clocks.mediation_clock(case.channel, case.procedure, case.category)
        period = clock.period
        if period.unit == PeriodUnit.DAYS:
            due_at = deadlines.add_calendar_days(self.at, period.amount)
        elif period.unit == PeriodUnit.WORKING_DAYS:
            due_at = working_days_after(self.at, period.amount)
        else:
            due_at = deadlines.add_months(self.at, period.amount)
        self.due(DueKind.MEDIATION, lead.to_org, due_at, period=period, clock=clock.key)
        feedback_days = self.g.limit(DueKind.FEEDBACK, lead.to_org, case.grade)
        self.due(
            DueKind.FEEDBACK,
            lead.to_org,
            working_days_after(self.at, feedback_days),
            lead,
            period=deadlines.Period(PeriodUnit.WORKING_DAYS, feedback_days),
        )
        for other in pending[1:]:
            self.later(0.5, 12)
            self.answer(other, DispatchStatus.ACCEPTED)
            self.event(
                "join",
                other.to_org,
                data={"dispatch": other, "role": other.role},
                note="作为协调方参与联合调处",
            )

    def do_return(self, reason: str) -> None:
        order = self.live(DispatchStatus.PENDING, DispatchStatus.ACCEPTED)[0]
        self.answer(order, DispatchStatus.RETURNED)
        order.return_reason = reason
        self.end_round()
        self.event("return", order.to_org, note=reason, data={"dispatch": order})

    def do_escalate(self, reason: str) -> None:
        """One level up from where the case is handled (``services.case_escalate``): a village
        committee hands it back to the township platform, which escalates it to the county."""
        org = self.case.handling_org
        old = self.case.platform
        self.end_round()
        if org is not None and org.region.level > old.region.level:
            self.event(
                "escalate",
                org,
                note=reason,
                data={"handed_back": True, "platform": old.pk, "from_org": org.pk},
            )
            self.later(2, 24)
            org = old
            reason = "村级调委会上报，经乡镇研判需由区综治中心统筹化解"
        self.escalated_from.append(old)
        self.case.platform = self.g.w.county_platform
        self.event(
            "escalate",
            org,
            note=reason,
            data={"from_platform": old.pk, "platform": self.case.platform.pk},
        )

    def do_consent(self, refused: bool = False) -> None:
        org = self.case.handling_org
        _name, user_id = self.g.actor(org)
        method = self.g.rng.choice([ContactMethod.IN_PERSON, ContactMethod.PHONE])
        needed = [p for p in self.parties if p.role in CONSENTING_ROLES]
        for party in needed:
            refuses = refused and party is needed[-1]
            decision = ConsentDecision.REFUSED if refuses else ConsentDecision.CONSENTED
            note = "不同意调解，要求直接起诉" if refuses else ""
            self.consents.append(
                PartyConsent(
                    case=self.case,
                    party=party,
                    decision=decision,
                    method=method,
                    recorded_at=self.at,
                    recorded_by_id=user_id,
                    note=note,
                )
            )
            label = ConsentDecision(decision).label
            self.event(
                "consent",
                org,
                note=f"{party.get_role_display()}{MASKED.name(party.name, party.kind)}：{label}"
                + (f"（{note}）" if note else ""),
                # As consent_record writes it, less the party's id (not known before the insert).
                data={"decision": decision, "method": method},
            )
        if refused:
            return
        notice = RightsNotice(
            case=self.case, delivered_at=self.at, delivered_by_id=user_id, method=method
        )
        self.notices.append((notice, list(self.parties)))
        self.event(
            "rights_notice",
            org,
            data={"method": method},
        )

    def do_start(self) -> None:
        self.event("start", self.case.handling_org, note="双方当事人同意调解，已告知权利义务")

    def do_suspend(self) -> None:
        for item in self.dues:
            if item.status == DueStatus.OPEN:
                item.paused_at = self.at
        self.event("suspend", self.case.handling_org, note="当事人住院治疗，暂时无法参加调解")

    def do_resume(self) -> None:
        for item in self.dues:
            if item.status == DueStatus.OPEN and item.paused_at is not None:
                # Recorded as case_resume records it (the demo keeps its weekend-only dates).
                paused_for = self.at - item.paused_at
                item.moves = [
                    *item.moves,
                    {
                        "suspended": round(paused_for.total_seconds()),
                        "from": item.paused_at.isoformat(),
                    },
                ]
                item.due_at += paused_for
                item.paused_at = None
        self.event("resume", self.case.handling_org, note="中止原因消除，恢复调解")

    def do_agree(self) -> None:
        g, case = self.g, self.case
        org = case.handling_org
        written = g.chance(0.8)
        terms = (
            "被申请人于协议签订之日起十五日内向申请人支付补偿款，双方纠纷就此了结，今后互不追究。"
        )
        if written:
            self.agreement = Agreement(
                case=case,
                kind=AgreementKind.WRITTEN,
                facts=case.facts,
                disputed_points="责任如何划分、补偿数额及支付方式。",
                responsibilities="经调解，双方均认可各自负有一定责任，被申请人承担主要责任。",
                terms=terms,
                performance_method=g.rng.choice(["一次性现金支付", "银行转账", "分两期支付"]),
                performance_place=(org.name if org else case.platform.name),
                performance_deadline=(timezone.localtime(self.at) + timedelta(days=15)).date(),
                concluded_at=self.at,
            )
        else:
            self.agreement = Agreement(
                case=case,
                kind=AgreementKind.ORAL,
                terms=f"双方当场达成口头协议：{terms}",
                concluded_at=self.at,
            )
        if org is not None:
            case.resolved_level = org.region.level
        self.event("agree", org, data={"kind": self.agreement.kind})
        self.report_back(org, f"调解成功，达成{self.agreement.get_kind_display()}")

    def do_fail(self) -> None:
        org = self.case.handling_org
        facts = "双方对纠纷发生的时间、地点及基本经过无异议。"
        note = "双方分歧较大，调解不成"
        self.failure = Failure(
            case=self.case,
            undisputed_facts=facts,
            note=note,
            recorded_at=self.at,
            recorded_by_id=self.g.actor(org)[1],
        )
        self.event("fail", org, note=note, data={"undisputed_facts": facts})
        self.report_back(org, f"调解不成。无争议事实记载：{facts}")

    def do_refer(self) -> None:
        org = self.case.handling_org
        target, receiver = self.g.rng.choice(REFER_TARGETS)
        note = f"引导当事人向{receiver}寻求解决"
        self.referral = Referral(
            case=self.case,
            action=A.REFER,
            target=target,
            receiver=receiver,
            note=note,
            referred_at=self.at,
            referred_by_id=self.g.actor(org)[1],
        )
        self.event("refer", org, note=note, data={"target": target, "receiver": receiver})
        self.report_back(org, f"已转出，接收单位：{receiver}")

    def do_reject(self) -> None:
        org = self.case.platform
        receiver = self.g.rng.choice(["人民法院", "公安机关", "行政主管部门"])
        note = "不属于人民调解受理范围"
        self.referral = Referral(
            case=self.case,
            action=A.REJECT,
            receiver=receiver,
            note=note,
            referred_at=self.at,
            referred_by_id=self.g.actor(org)[1],
        )
        self.event("reject", org, note=note, data={"receiver": receiver})
        self.report_back(org, f"不予受理（{note}），告知/移送：{receiver}")

    def do_withdraw(self) -> None:
        org = self.case.handling_org or self.case.platform
        self.event("withdraw", org, note="当事人自行和解，申请撤回")
        self.report_back(org, "已撤回：当事人自行和解，申请撤回")

    def report_back(self, org: Organization | None, summary: str) -> None:
        """办结反馈 (``services._report_back``): the platforms that sent the case down, except
        the one closing it, hear the outcome."""
        sent = [o.from_org for o in self.orders] + self.escalated_from
        platforms = [p for p in dict.fromkeys(sent) if p != org]
        if not platforms:
            return
        names = "、".join(p.name for p in platforms)
        self.event(
            "report_back",
            org,
            note=f"已向{names}反馈办理结果：{summary}",
            data={"platforms": [p.pk for p in platforms], "outcome": self.status},
        )

    def do_follow_up(self) -> None:
        satisfaction = self.g.pick(SATISFACTION)
        org = self.case.handling_org or self.case.platform
        _name, user_id = self.g.actor(org)
        comment = {
            5: "协议已履行，当事人非常满意",
            4: "协议已履行，当事人满意",
            3: "基本履行，当事人认为一般",
            2: "履行有拖延，当事人不太满意",
            1: "当事人对结果不满意",
        }[satisfaction]
        self.follow_ups.append(
            FollowUp(
                case=self.case,
                visited_at=self.at,
                visitor_id=user_id,
                satisfaction=satisfaction,
                comment=comment,
            )
        )
        self.event("follow_up", org, note=comment, data={"satisfaction": satisfaction})

    def do_archive(self) -> None:
        self.archive_org = self.case.handling_org or self.case.platform
        self.archived_at = self.at
        self.event("archive", self.archive_org)
