"""告知当事人 — each party of a case is told by SMS of the steps that concern them (seed 004
item 26: 及时向当事人进行反馈; docs/notifications.md "告知当事人"): registration, acceptance, a
session scheduled, the agreement, the judicial confirmation's result and the outcome.

``parties_tell`` is called by the service of the step, in its transaction: the outbox rows
(``notify`` ``enqueue_sms_many``) and the ``PartyNotice`` rows commit with the step or not
at all, and nothing here talks to the network (the outbox's worker sends after commit). One
notice per party, step and occasion: the same action retried, or submitted twice, tells no one
twice.

The text goes to the party's own phone only — never to a group robot — and names no one but
the party told: the values handed in are the case's number, its org, mediator and times."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from fengqiao.core.validators import MOBILE, normalize_phone
from fengqiao.disputes.choices import CaseAction, CaseStatus, PartyRole
from fengqiao.disputes.models import Case, Party, PartyNotice
from fengqiao.notify.choices import NotificationKind, PartyStep
from fengqiao.notify.models import PartyMessageTemplate
from fengqiao.notify.party_texts import render
from fengqiao.notify.services import Sms, enqueue_sms_many

REF_MAX = 40


def track_url() -> str:
    """Where a party follows the case: the portal's 查询进度 (empty without a public address)."""
    base = str(getattr(settings, "FENGQIAO_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}/portal/" if base else ""


def _key(party_id: int, step: str, ref: str) -> str:
    """The outbox key of one party, step and occasion: the same every time it is asked."""
    return f"party:{party_id}:{step}:{ref}"


def _template(step: str) -> str | None:
    row = PartyMessageTemplate.objects.filter(step=step, is_active=True).only("text").first()
    return row.text if row is not None else None


def parties_tell(
    case: Case,
    *,
    step: str,
    ref: str = "",
    values: Mapping[str, Any] | None = None,
    parties: Iterable[Party] | None = None,
    per_party: Mapping[int, Mapping[str, Any]] | None = None,
) -> None:
    """Tell ``parties`` (default: all of the case's) of ``step`` by SMS, once per party, step
    and ``ref``; ``per_party`` adds values for one party (their own link). Call inside the
    step's transaction.

    Three queries however many parties (the template, one INSERT of the outbox rows, one of the
    notices): a party already told has its outbox row and its notice already, and both INSERTs
    leave an existing row as it is — a retried or repeated step writes and sends nothing new."""
    ref = str(ref)[:REF_MAX]
    chosen = list(parties) if parties is not None else list(case.parties.all())
    if not chosen:
        return
    common = {
        "site": settings.FENGQIAO_SMS_SIGN,
        "case_number": case.number,
        "track_url": track_url(),
        **(values or {}),
    }
    phones = {p.pk: normalize_phone(p.phone) for p in chosen}
    reached = [p for p in chosen if MOBILE.fullmatch(phones[p.pk])]
    # The administrator's words are read only when someone is to be told.
    template = _template(step) if reached else None
    messages: list[Sms] = []
    for party in reached:
        phone = phones[party.pk]
        own = {
            **common,
            "name": party.name,
            "applicant": "1" if party.role == PartyRole.APPLICANT else "",
            **((per_party or {}).get(party.pk) or {}),
        }
        rendered = render(step, template, own)
        messages.append(
            Sms(
                phone=phone,
                text=rendered.text,
                kind=NotificationKind.PARTY,
                key=_key(party.pk, step, ref),
                template_error=rendered.error,
            )
        )
    keys = dict(zip((p.pk for p in reached), enqueue_sms_many(messages), strict=True))
    # A party without a mobile number gets a notice with no delivery: the page says they
    # could not be told by SMS.
    PartyNotice.objects.bulk_create(
        [
            PartyNotice(case=case, party=party, step=step, ref=ref, delivery_id=keys.get(party.pk))
            for party in chosen
        ],
        ignore_conflicts=True,
    )


def _mediator(case: Case) -> str:
    handler = case.handler
    return str(getattr(handler, "display_name", "") or "") if handler is not None else ""


def _org_name(case: Case) -> str:
    org = case.handling_org or case.platform
    return org.name if org is not None else ""


def _outcome(case: Case, action: str) -> tuple[str, str]:
    """The words of a case's end for its parties: what happened, and what they can do next."""
    org = _org_name(case)
    if action == CaseAction.FAIL:
        return (
            _("经%(org)s调解未能达成协议，调解终止") % {"org": org},
            _(
                "您可以依法向人民法院起诉，或依约定申请仲裁；"
                "需要帮助的，可向%(org)s或当地法律援助机构咨询。"
            )
            % {"org": org},
        )
    if action in (CaseAction.REFER, CaseAction.REJECT):
        referral = getattr(case, "referral", None)
        receiver = getattr(referral, "receiver", "") or ""
        target = referral.get_target_display() if referral and referral.target else ""
        where = "，".join(p for p in (str(target), receiver) if p)
        if action == CaseAction.REJECT:
            head = _("不适宜人民调解，未予受理调解")
        else:
            head = _("已转出，不再由%(org)s调解") % {"org": org}
        follow = (
            _("已告知/移送：%(w)s，请与其联系。") % {"w": where}
            if where
            else _("如有疑问，请向%(org)s咨询。") % {"org": org}
        )
        return head, follow
    if action == CaseAction.WITHDRAW:
        return (
            _("已撤回，本案终止办理"),
            _("纠纷仍未解决的，可以重新申请调解或依法通过其他途径解决。"),
        )
    return str(CaseStatus(case.status).label), ""


def tell_after_transition(case: Case, action: str, data: Mapping[str, Any]) -> None:
    """The parties' SMS for a workflow action just applied to ``case`` (locked, in its
    transaction): 受理, 达成协议, and the ends that are not an agreement (调解不成, 转出, 不予受理,
    撤回)."""
    if action == CaseAction.ACCEPT:
        parties_tell(
            case,
            step=PartyStep.ACCEPTED,
            ref=str(data.get("dispatch", "")),
            values={"org": _org_name(case), "mediator": _mediator(case)},
        )
    elif action == CaseAction.AGREE:
        parties_tell(case, step=PartyStep.AGREEMENT, values={"org": _org_name(case)})
    elif action in (CaseAction.FAIL, CaseAction.REFER, CaseAction.REJECT, CaseAction.WITHDRAW):
        result, next_steps = _outcome(case, action)
        parties_tell(
            case,
            step=PartyStep.RESULT,
            ref=action,
            values={"org": _org_name(case), "result": result, "next_steps": next_steps},
        )
