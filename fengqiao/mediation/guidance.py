"""业务指导 (guidance requests): a case's mediator asks the 人民法庭, 派出所 or 司法所 serving its
place a legal or policy question; the asked org answers within the admin's limit
(``DeadlineLimit`` of kind ``DueKind.GUIDANCE``, by the asked org's level and the case's grade),
and the answer is kept on the case (its 业务指导 panel and its timeline).

The limit runs on the platform's deadline sweep as a ``DueItem`` this app owns
(``disputes.hooks.register_due_owner``, as the court owns its confirmation limits): the sweep
reminds (催办) before it and supervises (督办) once it has passed, each exactly once, and tells
the asked org's people (``addressees``), linking to the request. It outlives its case
(``disputes.choices.OUTLIVES_CASE``): a case closed meanwhile does not cancel an answer owed —
it is still kept on the case and counted on time or late — and the case's mediator does not
answer for it (it is not on their 已超期 list). An answer ends it.

Writes: ``guidance_ask`` and ``guidance_answer`` (one transaction each, the case row locked
first, then the request; audit and timeline in it; messages after commit). Reads:
``guidance_for_case``, ``guidance_list_for_user``, ``guidance_get_for_user``, ``guidance_work``.
Who may do which is ``guidance_policy.guidance_may``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import grant_org_ids, restrict
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import DueKind, DueStatus, PeriodUnit
from fengqiao.disputes.hooks import Addressee
from fengqiao.disputes.models import Case, DueItem
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.services.errors import CaseRuleError
from fengqiao.disputes.services.transitions import (
    acting_org_id,
    add_due,
    finish_due,
    lock_case,
    record_event,
)
from fengqiao.mediation.choices import MediationAction
from fengqiao.mediation.guidance_policy import ANSWER, ASK, askable_orgs, guidance_may
from fengqiao.mediation.models import GuidanceRequest
from fengqiao.mediation.services import evidence_check, evidence_store
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import Message, notify_many, notify_orgs, users_by_org

QUESTION_MAX = 2000
ANSWER_MAX = 4000
GUIDANCE_KINDS = (DueKind.GUIDANCE,)


class AlreadyRecorded(Exception):
    """The same submit again: nothing new was saved (``obj`` is what the first one saved)."""

    def __init__(self, obj: GuidanceRequest) -> None:
        super().__init__(_("本次重复提交未再保存。"))
        self.obj = obj


@dataclass(frozen=True)
class Attachment:
    file: IO[bytes]
    name: str
    size: int


def request_url(request: GuidanceRequest | int) -> str:
    pk = request if isinstance(request, int) else request.pk
    return reverse("mediation:guidance_detail", args=[pk])


def _clean(text: str, limit: int, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CaseRuleError(_("请填写%(what)s。") % {"what": what})
    if len(text) > limit:
        raise CaseRuleError(_("%(what)s不能超过%(n)d字。") % {"what": what, "n": limit})
    return text


# --- Writes --------------------------------------------------------------------------------


def guidance_ask(
    *,
    actor: Any,
    case_id: int,
    asked_org_id: int,
    question: str,
    submit_key: str | None = None,
) -> GuidanceRequest:
    """请求业务指导: the case's mediator asks one of ``askable_orgs``; the answer is due within
    the admin's limit for the asked org's level and the case's grade, counted in working days."""
    if submit_key:
        existing = GuidanceRequest.objects.filter(submit_key=submit_key).first()
        if existing is not None:
            raise AlreadyRecorded(existing)
    question = _clean(question, QUESTION_MAX, _("咨询问题"))
    try:
        with transaction.atomic():
            case = lock_case(actor, case_id)
            if not guidance_may(actor, ASK, case):
                raise PermissionDenied(
                    _("只有承办本案的调解员可以在调解期间（已受理、调解中、中止）请求业务指导。")
                )
            org = next((o for o in askable_orgs(case) if o.pk == asked_org_id), None)
            if org is None:
                raise CaseRuleError(_("请选择本案所在乡镇（街道）的人民法庭、派出所或司法所。"))
            now = timezone.now()
            days = deadlines.limit_working_days(DueKind.GUIDANCE, org.region.level, case.grade)
            period = deadlines.Period(PeriodUnit.WORKING_DAYS, days)
            due_at = deadlines.period_end(now, period)
            item = add_due(
                case, kind=DueKind.GUIDANCE, org=org, start=now, period=period, due_at=due_at
            )
            asking_org_id = acting_org_id(actor, case)
            request = GuidanceRequest.objects.create(
                case=case,
                asked_org=org,
                asking_org_id=asking_org_id,
                asked_by=actor,
                question=question,
                asked_at=now,
                due_at=due_at,
                due_item=item,
                submit_key=submit_key or None,
            )
            due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
            record_event(
                case,
                actor=actor,
                action=MediationAction.GUIDANCE_ASK,
                from_status=case.status,
                to_status=case.status,
                note=_("向%(org)s请求业务指导，答复期限%(due)s：%(q)s")
                % {"org": org.name, "due": due, "q": question[:80]},
                data={"guidance": request.pk, "org": org.pk},
            )
            audit_record(
                actor=actor,
                event_type=EventType.MEDIATION_GUIDANCE_ASK,
                obj=request,
                after={"case": case.pk, "asked_org": org.pk, "due_at": due_at.isoformat()},
            )
            notify_orgs(
                orgs=[org],
                kind=NotificationKind.GUIDANCE,
                title=_("业务指导请求：%(n)s（请于%(due)s前答复）")
                % {"n": case.number, "due": due},
                body=question[:200],
                url=request_url(request),
                case=case,
            )
    except IntegrityError:
        # Two submits of the same form raced: the first one's request stands.
        existing = (
            GuidanceRequest.objects.filter(submit_key=submit_key).first() if submit_key else None
        )
        if existing is None:
            raise
        raise AlreadyRecorded(existing) from None
    return request


def guidance_answer(
    *,
    actor: Any,
    request_id: int,
    answer: str,
    attachment: Attachment | None = None,
) -> GuidanceRequest:
    """答复: someone acting for the asked org answers, with an optional file (JPEG, PNG or PDF,
    the evidence checks) kept with the case's evidence; the deadline is done. A second submit
    of an answered request is ``AlreadyRecorded``."""
    answer = _clean(answer, ANSWER_MAX, _("答复意见"))
    checked = (
        evidence_check(file=attachment.file, name=attachment.name, size=attachment.size)
        if attachment is not None
        else None
    )
    case_id = (
        GuidanceRequest.objects.filter(pk=request_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise Http404
    with transaction.atomic():
        # The case row first, as every write to a case (the answerer may not see the case
        # itself: the policy on the request decides, not the case's scope).
        case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
        request = (
            GuidanceRequest.objects.select_for_update(of=("self",))
            .select_related("asked_org")
            .get(pk=request_id)
        )
        if request.answered_at is not None and request.asked_org_id in grant_org_ids(actor):
            raise AlreadyRecorded(request)
        if not guidance_may(actor, ANSWER, request):
            raise PermissionDenied(_("只有被咨询单位的工作人员可以答复。"))
        now = timezone.now()
        request.answer = answer
        request.answered_by = actor
        request.answered_at = now
        if checked is not None and attachment is not None:
            request.attachment = evidence_store(
                case=case,
                actor=actor,
                checked=checked,
                name=attachment.name,
                title=_("业务指导答复附件（%(org)s）") % {"org": request.asked_org.name},
            )
        request.save(update_fields=["answer", "answered_by", "answered_at", "attachment"])
        finish_due(DueItem.objects.filter(pk__in=[request.due_item_id]), DueStatus.DONE)
        late = request.answered_late
        record_event(
            case,
            actor=actor,
            action=MediationAction.GUIDANCE_ANSWER,
            from_status=case.status,
            to_status=case.status,
            note=(_("%(org)s逾期答复业务指导：%(a)s") if late else _("%(org)s答复业务指导：%(a)s"))
            % {"org": request.asked_org.name, "a": answer[:80]},
            data={"guidance": request.pk, "late": late},
            org=request.asked_org,
        )
        audit_record(
            actor=actor,
            event_type=EventType.MEDIATION_GUIDANCE_ANSWER,
            obj=request,
            after={"case": case.pk, "late": late, "attachment": request.attachment_id},
        )
        notify_many(
            [
                Message(
                    recipients=[request.asked_by],
                    kind=NotificationKind.GUIDANCE,
                    title=_("业务指导已答复：%(n)s（%(org)s）")
                    % {"n": case.number, "org": request.asked_org.name},
                    body=answer[:200],
                    url=reverse("disputes:case_detail", args=[case.pk]) + "#guidance",
                    case=case,
                )
            ]
        )
    return request


# --- Reads ---------------------------------------------------------------------------------


def _rows() -> QuerySet[GuidanceRequest]:
    return GuidanceRequest.objects.select_related(
        "case", "asked_org", "asking_org", "asked_by", "answered_by", "attachment"
    )


def guidance_for_case(case: Case) -> list[GuidanceRequest]:
    """The requests of a case the caller has found through its scope (the case page)."""
    return list(_rows().filter(case=case).order_by("asked_at", "pk"))


def _visible(user: Any) -> Q:
    """Requests to the user's orgs, asked by them or their orgs, or on a case they can see."""
    orgs = list(grant_org_ids(user))
    return (
        Q(asked_org_id__in=orgs)
        | Q(asking_org_id__in=orgs)
        | Q(asked_by_id=user.pk)
        | Q(case_id__in=restrict(Case.objects.all(), user, VIEW_CASE).values("pk"))
    )


def guidance_visible_to(user: Any) -> QuerySet[GuidanceRequest]:
    """Every request ``user`` may see (``guidance_get_for_user`` finds one among them)."""
    return _rows().filter(_visible(user))


def guidance_get_for_user(user: Any, pk: int) -> GuidanceRequest:
    """A request the user may see; 404 otherwise (whether it exists is not told)."""
    request = _rows().filter(_visible(user), pk=pk).first()
    if request is None:
        raise Http404
    return request


@dataclass(frozen=True)
class GuidanceLists:
    incoming: list[GuidanceRequest]  # to the user's orgs (to answer, then answered)
    outgoing: list[GuidanceRequest]  # asked by the user or their orgs


LIST_LIMIT = 200


def guidance_list_for_user(user: Any, *, open_only: bool = False) -> GuidanceLists:
    """业务指导 page: the requests to answer (unanswered first, by due date) and those asked."""
    orgs = list(grant_org_ids(user))
    incoming = _rows().filter(asked_org_id__in=orgs)
    outgoing = _rows().filter(Q(asking_org_id__in=orgs) | Q(asked_by_id=user.pk))
    if open_only:
        incoming = incoming.filter(answered_at__isnull=True)
        outgoing = outgoing.filter(answered_at__isnull=True)
    return GuidanceLists(
        list(incoming.order_by("-answered_at", "due_at", "pk")[:LIST_LIMIT]),
        list(outgoing.exclude(asked_org_id__in=orgs).order_by("-asked_at", "-pk")[:LIST_LIMIT]),
    )


def guidance_work(user: Any) -> dict[str, Any]:
    """我的工作: the unanswered requests to the user's orgs (empty: nothing to show)."""
    orgs = list(grant_org_ids(user))
    if not orgs:
        return {}
    rows = list(
        _rows()
        .filter(asked_org_id__in=orgs, answered_at__isnull=True)
        .order_by("due_at", "pk")[:20]
    )
    if not rows:
        return {}
    return {"guidance_open": rows, "guidance_now": timezone.now()}


# --- What the sweep and the recount ask (registered in MediationConfig.ready) ---------------


def addressees(items: list[DueItem]) -> dict[int, Addressee]:
    """The sweep's question: each item's asked org's people and its request's page (two
    queries for a whole batch)."""
    requests = dict(
        GuidanceRequest.objects.filter(due_item_id__in=[i.pk for i in items]).values_list(
            "due_item_id", "pk"
        )
    )
    users = users_by_org({item.org_id for item in items})
    found = {}
    for item in items:
        pk = requests.get(item.pk)
        url = request_url(pk) if pk is not None else reverse("mediation:guidance_list")
        found[item.pk] = Addressee(users.get(item.org_id, []), url)
    return found


def moved(items: list[DueItem]) -> None:
    """A recount moved these deadlines: each request's own due date follows."""
    for item in items:
        GuidanceRequest.objects.filter(due_item_id=item.pk, answered_at__isnull=True).update(
            due_at=item.due_at
        )
