"""虚假调解筛查 — the signs of a false (collusive) mediation that the judge sees before ruling on
a confirmation (DESIGN §3 "False mediation screening"; seed 000 §(四): 加强对调解协议的审查力度，
加大对虚假诉讼的防范力度). Each rule below returns a flag with the reason it fired, in Chinese;
the judge must acknowledge every flag before ruling (services/confirmation.py).

The rules (thresholds from settings, defaults here; docs/court.md gives the same table):

- 同一申请人多次达成协议: a party of this agreement (by the keyed hash of the ID number, never
  the number) is a party to at least ``FENGQIAO_SCREEN_REPEAT_COUNT`` (3) agreements, this one
  included, concluded within the 12 months up to this one;
- 双方当事人住址或电话相同: two parties on opposite sides (申请人 and 被申请人) share a phone
  (by its keyed hash) or the same address (compared without spaces);
- 大额协议无证据材料: the case's amount is at least ``FENGQIAO_SCREEN_LARGE_AMOUNT`` (100,000
  元) and no evidence (证据材料) is attached to the case;
- 登记当日即达成协议: the agreement was concluded on the (Beijing) day the case was registered;
- 调解员调解成功速度异常: the case's mediator concluded at least
  ``FENGQIAO_SCREEN_FAST_MIN`` (5) agreements in the 90 days up to this one, and at least
  ``FENGQIAO_SCREEN_FAST_SHARE`` (80 %) of them within 24 hours of the case's registration —
  a pace people's mediation of real disputes does not reach (a month is the norm: 人民调解工作
  若干规定 art. 33).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.court.models.confirmation import FlagCode
from fengqiao.disputes.choices import PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.mediation.models import Agreement, Evidence

REPEAT_WINDOW = timedelta(days=365)
FAST_WINDOW = timedelta(days=90)
FAST_WITHIN = timedelta(hours=24)


def _setting(name: str, default: object) -> object:
    return getattr(settings, name, default)


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    reason: str


def repeat_applicant(case: Case, agreement: Agreement, parties: list[Party]) -> Flag | None:
    wanted = int(str(_setting("FENGQIAO_SCREEN_REPEAT_COUNT", 3)))
    hashes = {p.id_number_hash: p for p in parties if p.id_number_hash}
    if not hashes:
        return None
    since = agreement.concluded_at - REPEAT_WINDOW
    rows = (
        Party.objects.filter(
            id_number_hash__in=list(hashes),
            case__agreement__concluded_at__gte=since,
            case__agreement__concluded_at__lte=agreement.concluded_at,
        )
        .values("id_number_hash")
        .annotate(cases=Count("case", distinct=True))
        .order_by()
    )
    found = [(hashes[r["id_number_hash"]], r["cases"]) for r in rows if r["cases"] >= wanted]
    if not found:
        return None
    named = "、".join(_("%(name)s（%(n)s份）") % {"name": party.name, "n": n} for party, n in found)
    return Flag(
        FlagCode.REPEAT_APPLICANT,
        _("当事人%(named)s在本协议达成前12个月内（含本协议）参与达成的调解协议达到%(wanted)s份以上"
          "（按身份证号检索码比对），请审查是否存在虚假调解。")
        % {"named": named, "wanted": wanted},
    )  # fmt: skip


def shared_contact(case: Case, agreement: Agreement, parties: list[Party]) -> Flag | None:
    applicants = [p for p in parties if p.role == PartyRole.APPLICANT]
    respondents = [p for p in parties if p.role == PartyRole.RESPONDENT]
    reasons = []
    for a in applicants:
        for r in respondents:
            if a.phone_hash and a.phone_hash == r.phone_hash:
                reasons.append(_("%(a)s与%(r)s的联系电话相同") % {"a": a.name, "r": r.name})
            address = "".join(a.address.split())
            if address and address == "".join(r.address.split()):
                reasons.append(_("%(a)s与%(r)s的住址相同") % {"a": a.name, "r": r.name})
    if not reasons:
        return None
    return Flag(
        FlagCode.SHARED_CONTACT,
        _("%(list)s：双方当事人可能存在关联关系，请审查是否存在恶意串通。")
        % {"list": "；".join(reasons)},
    )


def large_no_evidence(case: Case, agreement: Agreement, parties: list[Party]) -> Flag | None:
    threshold = Decimal(str(_setting("FENGQIAO_SCREEN_LARGE_AMOUNT", 100000)))
    if case.amount is None or case.amount < threshold:
        return None
    if Evidence.objects.filter(case=case).exists():
        return None
    return Flag(
        FlagCode.LARGE_NO_EVIDENCE,
        _(
            "涉及金额%(amount)s元，达到%(threshold)s元，但案件未附任何证据材料，请审查债权债务是否真实。"
        )
        % {"amount": f"{case.amount:,.2f}", "threshold": f"{threshold:,.0f}"},
    )


def same_day(case: Case, agreement: Agreement, parties: list[Party]) -> Flag | None:
    registered = timezone.localdate(case.registered_at)
    if timezone.localdate(agreement.concluded_at) != registered:
        return None
    return Flag(
        FlagCode.SAME_DAY,
        _("纠纷于%(day)s登记，当日即达成调解协议，请审查调解过程是否真实。")
        % {"day": registered.strftime("%Y年%m月%d日")},
    )


def fast_mediator(case: Case, agreement: Agreement, parties: list[Party]) -> Flag | None:
    if case.handler_id is None:
        return None
    least = int(str(_setting("FENGQIAO_SCREEN_FAST_MIN", 5)))
    share = float(str(_setting("FENGQIAO_SCREEN_FAST_SHARE", 0.8)))
    # The handler's agreements in the window (case_handler_status index, then the agreements).
    rows = list(
        Agreement.objects.filter(
            case__handler_id=case.handler_id,
            concluded_at__gte=agreement.concluded_at - FAST_WINDOW,
            concluded_at__lte=agreement.concluded_at,
        ).values_list("concluded_at", "case__registered_at")
    )
    if len(rows) < least:
        return None
    fast = sum(1 for concluded, registered in rows if concluded - registered <= FAST_WITHIN)
    if fast < share * len(rows):
        return None
    return Flag(
        FlagCode.FAST_MEDIATOR,
        _("承办调解员近90天达成调解协议%(total)s份，其中%(fast)s份在登记后24小时内达成"
          "（异常标准：不少于%(least)s份且占比达到%(share)s%%），请审查调解是否真实进行。")
        % {"total": len(rows), "fast": fast, "least": least, "share": round(share * 100)},
    )  # fmt: skip


RULES = (repeat_applicant, shared_contact, large_no_evidence, same_day, fast_mediator)


def screen(case: Case, agreement: Agreement) -> list[Flag]:
    """Every flag that fires on ``case`` and its ``agreement``, in the order of ``RULES``."""
    parties = list(case.parties.all())
    return [flag for rule in RULES if (flag := rule(case, agreement, parties)) is not None]
