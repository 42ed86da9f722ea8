"""督办令 — every write: issued by an overseer on a late item of the board (to the item's org,
with a deadline and a comment; the org's users are told), answered by the org, and chased once
when its deadline passes unanswered (``sweep_directives``, every few minutes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.disputes.services.errors import CaseRuleError, required_note
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import notify, notify_orgs
from fengqiao.orgs.models import Organization
from fengqiao.supervision.choices import DirectiveStatus
from fengqiao.supervision.models import Directive
from fengqiao.supervision.policy import ANSWER, ISSUE, supervision_may
from fengqiao.supervision.selectors import board_item

HORIZON = timedelta(days=90)
BATCH = 500


def directive_url(directive: Directive) -> str:
    return f"/supervision/directives/{directive.pk}/"


def directive_issue(
    *, actor: Any, kind: str, object_id: int, due_at: datetime, comment: str
) -> Directive:
    """督办: an order to the org of a late item the actor oversees."""
    comment = required_note(comment, missing=_("请填写督办意见。"))
    now = timezone.now()
    if not now <= due_at <= now + HORIZON:
        raise CaseRuleError(_("反馈时限须在现在之后的90日以内。"))
    item = board_item(actor, kind, object_id)
    if item is None:
        raise CaseRuleError(_("该事项已办结或不在您的督办范围内。"))
    org = Organization.objects.select_related("region").get(pk=item.org_id)
    if not supervision_may(actor, ISSUE, org):
        raise CaseRuleError(_("该单位不在您的督办范围内。"))
    try:
        with transaction.atomic():
            directive = Directive.objects.create(
                kind=kind,
                object_id=object_id,
                subject=item.title[:300],
                url=item.url,
                case_id=item.case_id,
                org=org,
                region_path=org.region.path,
                issued_by=actor,
                issued_at=now,
                comment=comment,
                due_at=due_at,
            )
            notify_orgs(
                orgs=[org],
                kind=NotificationKind.SUPERVISION,
                title=_("督办令：%(s)s，请于%(d)s前反馈")
                % {"s": item.title, "d": timezone.localtime(due_at).strftime("%m-%d %H:%M")},
                body=comment[:200],
                url=directive_url(directive),
            )
            audit_record(
                actor=actor,
                event_type=EventType.DIRECTIVE_ISSUED,
                obj=directive,
                after={"kind": kind, "object_id": object_id, "org": org.pk},
            )
    except IntegrityError as exc:
        raise CaseRuleError(_("该事项已有未反馈的督办令。")) from exc
    return directive


def directive_answer(*, actor: Any, directive_id: int, answer: str) -> Directive:
    """反馈: the org says what it did; the issuer is told."""
    answer = required_note(answer, missing=_("请填写反馈情况。"))
    with transaction.atomic():
        directive = (
            Directive.objects.select_for_update(of=("self",))
            .select_related("org")
            .filter(pk=directive_id)
            .first()
        )
        if directive is None:
            raise CaseRuleError(_("该督办令不存在。"))
        if not supervision_may(actor, ANSWER, directive):
            raise CaseRuleError(_("该督办令已反馈，或您无权反馈。"))
        directive.status, directive.answer = DirectiveStatus.ANSWERED, answer
        directive.answered_at, directive.answered_by = timezone.now(), actor
        directive.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        notify(
            recipients=[directive.issued_by],
            kind=NotificationKind.RESULT,
            title=_("督办反馈：%(org)s（%(s)s）")
            % {"org": directive.org.name, "s": directive.subject},
            body=answer[:200],
            url=directive_url(directive),
        )
        audit_record(
            actor=actor,
            event_type=EventType.DIRECTIVE_ANSWERED,
            obj=directive,
            after={"status": directive.status},
        )
    return directive


@dataclass
class DirectiveSweep:
    chased: int = 0


def sweep_directives(now: datetime | None = None) -> DirectiveSweep:
    """Tell the org of each order past its deadline unanswered, once."""
    now = now or timezone.now()
    result = DirectiveSweep()
    while True:
        with transaction.atomic():
            rows = list(
                Directive.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    status=DirectiveStatus.OPEN, overdue_notified_at__isnull=True, due_at__lte=now
                )
                .select_related("org")
                .order_by("due_at", "pk")[:BATCH]
            )
            for directive in rows:
                directive.overdue_notified_at = now
                directive.save(update_fields=["overdue_notified_at"])
                notify_orgs(
                    orgs=[directive.org],
                    kind=NotificationKind.OVERDUE,
                    title=_("督办令逾期未反馈：%(s)s") % {"s": directive.subject},
                    url=directive_url(directive),
                )
                result.chased += 1
        if len(rows) < BATCH:
            return result
