"""The demo county's 业务指导 requests: mediators of the demo ``police``'s township asked its
人民法庭 (``judge``), 派出所 (``police``) and 司法所 (``justice``) on cases they are mediating —
one answered on time, one answered late, one still open and one past its limit unanswered (the
sweep chases it). Written through the services, then dated back; a handful of rows. The lowest
mediating case of the demo ``mediator`` is left without one (the tests ask on it)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.models import Case, DueItem
from fengqiao.mediation import guidance
from fengqiao.mediation.guidance_policy import ASK, askable_orgs, guidance_may
from fengqiao.mediation.models import GuidanceRequest
from fengqiao.orgs.models import Organization

# (asked account, question, answer or "", days ago asked, answered after days or None)
REQUESTS = (
    (
        "judge",
        "双方对借款利息约定不明，调解时能否参照一年期贷款市场报价利率计算逾期利息？",
        "可以参照。借贷双方对逾期利率没有约定或约定不明的，可按民间借贷司法解释第二十八条处理，"
        "调解协议中写明计算方式，便于日后申请司法确认。",
        6,
        1,
    ),
    (
        "police",
        "当事人称对方曾持械威胁，调解前是否需要派出所先行出警固定证据？",
        "如威胁仍在持续请立即报警；已发生的可告知当事人到所报案，民警将调取现场视频，"
        "调解可同步进行但不得处分治安违法部分。",
        9,
        6,
    ),
    ("justice", "农村土地承包经营权流转纠纷，村调委会能否受理还是须引导至仲裁？", "", 1, None),
    ("police", "邻里噪音纠纷涉及夜间施工，是否属于治安管理处罚法调整范围？", "", 8, None),
)


def _handler(case: Case) -> User | None:
    if case.handler_id is not None:
        return case.handler
    grant = RoleGrant.objects.filter(org_id=case.handling_org_id, user__is_active=True).first()
    return grant.user if grant else None


def demo_guidance_seed() -> int:
    """How many requests were written (0 when the accounts or cases are missing, or already
    written)."""
    if GuidanceRequest.objects.exists():
        return 0
    accounts: dict[str, Organization] = {
        g.user.username: g.org
        for g in RoleGrant.objects.filter(
            user__username__in=["judge", "police", "justice"], org__isnull=False
        ).select_related("user", "org__region")
        if g.org is not None
    }
    police = accounts.get("police")
    if police is None or len(accounts) < 3:
        return 0
    spared = (
        Case.objects.filter(handler__username="mediator", status=CaseStatus.MEDIATING)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    cases = (
        Case.objects.filter(
            region_path__startswith=police.region.path,
            status__in=[CaseStatus.MEDIATING, CaseStatus.ACCEPTED],
        )
        .exclude(pk__in=[spared] if spared is not None else [])
        .select_related("handler", "handling_org", "platform")
        .order_by("-pk")
    )
    now = timezone.now()
    written = 0
    picked = iter(cases[:20])
    for account, question, answer, ago, after in REQUESTS:
        org = accounts[account]
        for case in picked:
            actor = _handler(case)
            if actor is None or not guidance_may(actor, ASK, case):
                continue
            if org.pk not in {o.pk for o in askable_orgs(case)}:
                continue
            asked = guidance.guidance_ask(
                actor=actor, case_id=case.pk, asked_org_id=org.pk, question=question
            )
            # Dated back: asked ``ago`` days ago, due by the limit from then; an answer given
            # within it is written before the dates move (its timeline says on time).
            asked_at = now - timedelta(days=ago)
            item = asked.due_item
            if item is None:
                continue
            due_at = deadlines.period_end(
                asked_at, deadlines.Period(item.period_unit, item.period_amount or 0)
            )
            answered_at = asked_at + timedelta(days=after) if after is not None else None
            on_time = answered_at is not None and answered_at <= due_at
            if answer and on_time:
                guidance.guidance_answer(
                    actor=User.objects.get(username=account), request_id=asked.pk, answer=answer
                )
            DueItem.objects.filter(pk=item.pk).update(
                started_at=asked_at,
                due_at=due_at,
                next_check_at=deadlines.first_check(due_at, now),
            )
            GuidanceRequest.objects.filter(pk=asked.pk).update(asked_at=asked_at, due_at=due_at)
            if answer and not on_time:
                guidance.guidance_answer(
                    actor=User.objects.get(username=account), request_id=asked.pk, answer=answer
                )
            if answered_at is not None:
                GuidanceRequest.objects.filter(pk=asked.pk).update(answered_at=answered_at)
            written += 1
            break
    return written
