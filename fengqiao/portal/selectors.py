"""What the portal reads: the places and categories an applicant chooses from, the party a
phone number makes of someone on a case, and the case as a party is shown it — the steps as
they happened (no staff remarks, no other person's details), the deadlines in plain words, the
handling org, the next session, the documents issued to the parties, their rating."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.crypto import lookup_hash
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import (
    CaseStatus,
    DueKind,
    DueStatus,
    PeriodUnit,
    TimelineAction,
)
from fengqiao.disputes.disclosure import MASKED
from fengqiao.disputes.models import Case, DueItem, Party, TimelineEvent
from fengqiao.disputes.policy import platform_above
from fengqiao.disputes.routing import recommend_orgs
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument
from fengqiao.mediation.models import Room
from fengqiao.portal.models import Article, Evaluation
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region

# The steps a party is shown, in the words a party understands. Anything else on the timeline
# (研判 notes, 催办, 督办, internal transfers, consent records) is the staff's.
PARTY_STEPS: dict[str, Any] = {
    TimelineAction.REGISTER: gettext_lazy("已收到申请，登记立案"),
    TimelineAction.ASSESS: gettext_lazy("综治中心已研判"),
    TimelineAction.DISPATCH: gettext_lazy("已交办调解组织"),
    TimelineAction.ACCEPT: gettext_lazy("调解组织已受理"),
    TimelineAction.START: gettext_lazy("开始调解"),
    "session": gettext_lazy("召开调解会"),
    TimelineAction.SUSPEND: gettext_lazy("调解中止"),
    TimelineAction.RESUME: gettext_lazy("恢复调解"),
    TimelineAction.EXTEND: gettext_lazy("调解期限延长"),
    TimelineAction.AGREE: gettext_lazy("达成调解协议"),
    TimelineAction.FAIL: gettext_lazy("调解不成"),
    TimelineAction.DEEMED_FAILED: gettext_lazy("视为调解不成"),
    TimelineAction.ARBITRATION_OPEN: gettext_lazy("可以申请劳动争议仲裁"),
    TimelineAction.REFER: gettext_lazy("转其他途径处理"),
    TimelineAction.REJECT: gettext_lazy("不予受理"),
    TimelineAction.WITHDRAW: gettext_lazy("申请已撤回"),
    TimelineAction.ARCHIVE: gettext_lazy("办结归档"),
    "confirmation_file": gettext_lazy("已申请司法确认"),
    "confirmation_accept": gettext_lazy("法院已受理司法确认申请"),
    "confirmation_not_accept": gettext_lazy("法院不予受理司法确认申请"),
    "confirmation_rule": gettext_lazy("法院已作出司法确认裁定"),
    "confirmation_serve": gettext_lazy("已送达民事裁定书"),
}
# The deadlines a party is told of.
PARTY_DEADLINES: dict[str, Any] = {
    DueKind.ACCEPT: gettext_lazy("调解组织应在此前受理"),
    DueKind.MEDIATION: gettext_lazy("调解期限"),
    DueKind.ARBITRATION: gettext_lazy("自此日起，未达成协议的可申请劳动仲裁"),
    DueKind.CONFIRM_RULE: gettext_lazy("法院司法确认审查期限"),
}
# The documents issued to the parties (not the internal records: 笔录, 案卷, 回访).
PARTY_DOCUMENTS = (
    DocumentType.RIGHTS_NOTICE,
    DocumentType.MEDIATION_AGREEMENT,
    DocumentType.ORAL_AGREEMENT,
    DocumentType.PERFORMANCE_CERTIFICATE,
    DocumentType.CONFIRMATION_RULING,
    DocumentType.CONFIRMATION_NOT_ACCEPTED,
    DocumentType.REJECTION_NOTICE,
    DocumentType.TERMINATION_RECORD,
)
# What happens next, by the case's state, in a party's words.
NEXT_WORDS: dict[str, Any] = {
    CaseStatus.REGISTERED: gettext_lazy("综治中心正在研判，研判后交办调解组织。"),
    CaseStatus.ASSESSED: gettext_lazy("综治中心已研判，即将交办调解组织。"),
    CaseStatus.DISPATCHED: gettext_lazy("已交办调解组织，等待受理（受理期限见下）。"),
    CaseStatus.ACCEPTED: gettext_lazy("调解组织已受理，调解员将与您联系安排调解。"),
    CaseStatus.MEDIATING: gettext_lazy("正在调解，请留意调解员的电话和短信。"),
    CaseStatus.SUSPENDED: gettext_lazy("调解暂时中止，恢复后继续，期限相应顺延。"),
    CaseStatus.RESOLVED: gettext_lazy(
        "已达成调解协议，请按协议履行；可下载协议书并对调解进行评价。"
    ),
    CaseStatus.FAILED: gettext_lazy(
        "调解未能达成协议。您可以依法申请仲裁或者向人民法院起诉；可对调解进行评价。"
    ),
    CaseStatus.REFERRED_OUT: gettext_lazy("已转其他途径处理，相关部门会与您联系。"),
    CaseStatus.WITHDRAWN: gettext_lazy("申请已撤回。"),
    CaseStatus.ARCHIVED: gettext_lazy("案件已办结归档。"),
}
# A case a party may rate: its mediation has an outcome.
EVALUABLE = (
    CaseStatus.RESOLVED,
    CaseStatus.FAILED,
    CaseStatus.REFERRED_OUT,
    CaseStatus.ARCHIVED,
)
CASE_NUMBER_MAX = 40
UNITS: dict[str, Any] = {
    PeriodUnit.WORKING_DAYS: gettext_lazy("%(n)s个工作日"),
    PeriodUnit.DAYS: gettext_lazy("%(n)s日"),
    PeriodUnit.MONTHS: gettext_lazy("%(n)s个月"),
}


def period_words(period: deadlines.Period) -> str:
    return str(UNITS[period.unit]) % {"n": period.amount}


def day_words(when: datetime) -> str:
    local = timezone.localtime(when)
    return _("%(y)s年%(m)s月%(d)s日") % {"y": local.year, "m": local.month, "d": local.day}


# --- Choices of the application form ------------------------------------------------------------


def place_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The villages and communities an applicant chooses from, grouped by township: those with
    a platform (综治中心) above them, i.e. where a case can be registered."""
    villages = (
        Region.objects.filter(level=RegionLevel.VILLAGE, parent__level=RegionLevel.TOWNSHIP)
        .select_related("parent")
        .only("pk", "name", "path", "parent__name", "parent__path")
        .order_by("path")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for v in villages:
        groups.setdefault(v.parent.name if v.parent else "", []).append((v.pk, v.name))
    return list(groups.items())


def place_get(pk: int) -> Region | None:
    return Region.objects.filter(pk=pk, level=RegionLevel.VILLAGE).first()


# --- Who is asking ------------------------------------------------------------------------------


def normalise_case_number(value: str) -> str:
    return "".join(str(value).split()).upper()[:CASE_NUMBER_MAX]


def party_by_phone(case_number: str, phone: str) -> Party | None:
    """The party of case ``case_number`` whose phone is ``phone`` (by its lookup hash), or
    None — whether the case does not exist or the phone is not a party's (callers answer
    both alike)."""
    number = normalise_case_number(case_number)
    if not number or not phone:
        return None
    return (
        Party.objects.filter(case__number=number, phone_hash=lookup_hash(phone))
        .select_related("case")
        .order_by("role", "pk")
        .first()
    )


def party_get(case_id: int, party_id: int) -> Party | None:
    return (
        Party.objects.filter(pk=party_id, case_id=case_id)
        .select_related("case__platform", "case__handling_org")
        .first()
    )


# --- The case as a party sees it ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    at: datetime


@dataclass(frozen=True)
class Deadline:
    label: str
    due_at: datetime
    provisional: bool


@dataclass(frozen=True)
class PartyCaseView:
    case: Case
    party: Party
    status_label: str
    next_words: str
    platform_name: str
    handling_org_name: str
    others: list[Any]
    steps: list[Step]
    deadlines: list[Deadline]
    next_room: Room | None
    documents: list[IssuedDocument]
    evaluation: Evaluation | None
    may_evaluate: bool


def may_evaluate(case: Case) -> bool:
    return case.status in EVALUABLE


def party_steps(case: Case) -> list[Step]:
    events = (
        TimelineEvent.objects.filter(case=case, action__in=list(PARTY_STEPS))
        .only("action", "at")
        .order_by("at", "pk")
    )
    return [Step(str(PARTY_STEPS[e.action]), e.at) for e in events]


def party_deadlines(case: Case) -> list[Deadline]:
    items = (
        DueItem.objects.filter(case=case, status=DueStatus.OPEN, kind__in=list(PARTY_DEADLINES))
        .only("kind", "due_at")
        .order_by("due_at")
    )
    known = deadlines.known_years()
    return [
        Deadline(str(PARTY_DEADLINES[i.kind]), i.due_at, deadlines.is_provisional(i.due_at, known))
        for i in items
    ]


def party_documents(case: Case) -> list[IssuedDocument]:
    """The latest version of each document issued to the parties."""
    rows = IssuedDocument.objects.filter(
        case_number=case.number, doc_type__in=PARTY_DOCUMENTS
    ).order_by("doc_type", "subject", "-version")
    latest: dict[tuple[str, str], IssuedDocument] = {}
    for row in rows:
        latest.setdefault((row.doc_type, row.subject), row)
    return sorted(latest.values(), key=lambda d: d.created_at)


def party_document(case: Case, pk: int) -> IssuedDocument | None:
    return next((d for d in party_documents(case) if d.pk == pk), None)


def party_case_view(party: Party) -> PartyCaseView:
    case = Case.objects.select_related("platform", "handling_org").get(pk=party.case_id)
    others = [
        MASKED.party(p)
        for p in Party.objects.filter(case=case).exclude(pk=party.pk).order_by("role", "pk")
    ]
    next_room = (
        Room.objects.filter(case=case, ended_at__isnull=True, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    return PartyCaseView(
        case=case,
        party=party,
        status_label=str(case.get_status_display()),
        next_words=str(NEXT_WORDS.get(case.status, "")),
        platform_name=getattr(case.platform, "name", ""),
        handling_org_name=getattr(case.handling_org, "name", ""),
        others=others,
        steps=party_steps(case),
        deadlines=party_deadlines(case),
        next_room=next_room,
        documents=party_documents(case),
        evaluation=Evaluation.objects.filter(case=case, party=party).first(),
        may_evaluate=may_evaluate(case),
    )


def evaluations_panel_context(user: Any, case: Case) -> dict[str, Any]:
    """The case page's 当事人评价 panel (the page has checked that ``user`` sees the case). An
    open case has none (a party rates a case with an outcome): no query for it."""
    if not may_evaluate(case):
        return {}
    rows = Evaluation.objects.filter(case=case).select_related("party").order_by("created_at")
    return {"portal_evaluations": list(rows)}


# --- What happens next (the page after applying) ------------------------------------------------


@dataclass(frozen=True)
class NextSteps:
    platform_name: str
    suggested_org: str
    accept_limit: str
    mediation_limit: str


def next_steps(case: Case) -> NextSteps:
    """Who has the application and who will likely mediate it (the routing's first
    recommendation; the platform decides), and the limits that then run, from the deadline
    rules the staff work to."""
    recommended = recommend_orgs(case)
    org = recommended[0].org if recommended else None
    level = org.region.level if org is not None else RegionLevel.VILLAGE
    accept = deadlines.limit_period(
        DueKind.ACCEPT, case.grade, level=deadlines.handling_level(level)
    )
    mediation = deadlines.mediation_period(case.channel, case.procedure, case.category)
    platform = case.platform or platform_above(case.region)
    return NextSteps(
        platform_name=platform.name if platform is not None else "",
        suggested_org=org.name if org is not None else "",
        accept_limit=period_words(accept),
        mediation_limit=period_words(mediation),
    )


# --- Knowledge base -----------------------------------------------------------------------------

QUERY_MAX = 50


def article_search(query: str, topic: str = "") -> QuerySet[Article]:
    """Published articles whose question, answer or law holds every word of ``query`` (at most
    ``QUERY_MAX`` characters, at most five words)."""
    rows = Article.objects.filter(is_published=True)
    if topic:
        rows = rows.filter(topic=topic)
    for word in query[:QUERY_MAX].split()[:5]:
        rows = rows.filter(
            Q(question__icontains=word) | Q(answer__icontains=word) | Q(law__icontains=word)
        )
    return rows.order_by("topic", "order", "pk")


def article_get(slug: str) -> Article | None:
    return Article.objects.filter(slug=slug[:60], is_published=True).first()
