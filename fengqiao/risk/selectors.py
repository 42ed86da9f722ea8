"""What the rules read about a case (``case_facts``) and what the case page shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.access import grant_org_ids, restrict
from fengqiao.disputes.choices import IntakeChannel, PartyKind
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.risk import text
from fengqiao.risk.choices import EmergencyStatus, EmergencyTaskStatus, WarningStatus
from fengqiao.risk.engine import Facts
from fengqiao.risk.models import EmergencyResponse, RiskAssessment, RiskWarning, WarningNotice

REPEAT_WINDOW = timedelta(days=365)


def birth_date(id_number: str) -> date | None:
    """The birth date a resident ID number (18 digits, or the old 15) carries, if valid."""
    value = id_number.strip()
    try:
        if len(value) == 18:
            return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        if len(value) == 15 and value.isdigit():
            return date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    except ValueError:
        return None
    return None


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def case_facts(case: Case, *, on: date | None = None, new: bool = False) -> Facts:
    """The facts of ``case`` the rules look at: its fields and text with those of its 重复反映,
    the ages of its natural persons (from the ID numbers, decrypted here and never kept), and
    the other cases its parties are party to — matched by the keyed hashes of ID number and
    phone, never the plain values (as court.screening matches parties)."""
    now = timezone.now()
    on = on or timezone.localdate(now)
    parties = list(
        Party.objects.filter(case=case).only("kind", "id_number", "id_number_hash", "phone_hash")
    )
    ages = []
    for party in parties:
        if party.kind == PartyKind.PERSON and party.id_number:
            born = birth_date(party.id_number)
            if born is not None and born <= on:
                ages.append(age_on(born, on))
    ids = {p.id_number_hash for p in parties if p.id_number_hash}
    phones = {p.phone_hash for p in parties if p.phone_hash}
    other_year, petitioned = 0, False
    if ids or phones:
        rows = set(
            Party.objects.filter(Q(id_number_hash__in=ids) | Q(phone_hash__in=phones))
            .exclude(case_id=case.pk)
            .values_list("case_id", "case__channel", "case__registered_at")
        )
        since = now - REPEAT_WINDOW
        other_year = len({pk for pk, _ch, at in rows if at >= since})
        petitioned = any(ch == IntakeChannel.PETITION for _pk, ch, _at in rows)
    repeats = (
        []
        if new
        else list(
            case.repeat_reports.values_list("title", "facts", "claims", "people_count", "amount")
        )
    )
    texts = [case.title, case.facts, case.claims]
    people, amount = case.people_count, case.amount
    for title, facts, claims, r_people, r_amount in repeats:
        texts += [title, facts, claims]
        people = max(people, r_people or 0)
        if r_amount is not None and (amount is None or r_amount > amount):
            amount = r_amount
    flags = frozenset(
        f
        for f in ("group", "criminal_risk", "petition_risk", "vulnerable", "sensitive")
        if getattr(case, f"flag_{f}")
    )
    joined = "\n".join(t for t in texts if t)
    # A grid worker's quick report has no 涉及人数 field: “三十多个工人” in its text counts.
    people = max(people, text.people_mentioned(joined))
    return Facts(
        category=case.category,
        people_count=people,
        amount=amount,
        flags=flags,
        text=joined,
        ages=tuple(ages),
        other_cases_year=other_year,
        petitioned=petitioned,
        repeat_reports=len(repeats),
        on=on,
    )


def assessment_for(case: Any) -> RiskAssessment | None:
    """The case's assessment (the caller has checked the user may see the case)."""
    return RiskAssessment.objects.filter(case_id=case.pk).select_related("override_by").first()


# --- Warnings and emergency responses (data scope: the case's region, the orgs told) -------------

PAGE = 50
BOARD_ROWS = 50


def warnings_for_user(user: Any) -> QuerySet[RiskWarning]:
    return restrict(RiskWarning.objects.all(), user, VIEW_CASE)


WARNING_TABS = {
    "awaiting": _("待我单位签收"),
    "open": _("处置中"),
    "closed": _("已办结"),
}


def warning_tab(user: Any, tab: str, counts: dict[str, int] | None = None) -> str:
    """The tab a query string names (404 for an unknown one); none named: 待我单位签收 when
    something awaits the user's orgs, else 处置中."""
    if not tab:
        counts = counts if counts is not None else warning_counts(user)
        tab = "awaiting" if counts["awaiting"] else "open"
    if tab not in WARNING_TABS:
        raise Http404
    return tab


def warning_list(user: Any, tab: str) -> list[RiskWarning]:
    """One page of a tab of 风险预警 (``warning_tab_for_user``)."""
    return list(warning_tab_for_user(user, tab)[:PAGE])


def warning_tab_for_user(user: Any, tab: str) -> QuerySet[RiskWarning]:
    """One tab of 风险预警: those awaiting the user's orgs' acknowledgement, the open ones, the
    closed ones — newest first, each with its case (its ledger reads this: risk/exports.py)."""
    qs = warnings_for_user(user).select_related("case")
    if tab == "awaiting":
        qs = qs.filter(
            status=WarningStatus.OPEN,
            pk__in=WarningNotice.objects.filter(
                org_id__in=grant_org_ids(user), acknowledged_at__isnull=True
            ).values("warning_id"),
        )
    elif tab == "open":
        qs = qs.filter(status=WarningStatus.OPEN)
    else:
        qs = qs.exclude(status=WarningStatus.OPEN)
    return qs


def warning_counts(user: Any) -> dict[str, int]:
    qs = warnings_for_user(user).filter(status=WarningStatus.OPEN)
    awaiting = qs.filter(
        pk__in=WarningNotice.objects.filter(
            org_id__in=grant_org_ids(user), acknowledged_at__isnull=True
        ).values("warning_id")
    )
    return {"awaiting": awaiting.count(), "open": qs.count()}


def warning_get_for_user(user: Any, pk: int) -> RiskWarning:
    warning = warnings_for_user(user).select_related("case", "closed_by").filter(pk=pk).first()
    if warning is None:
        raise Http404
    return warning


def warning_detail(warning: RiskWarning) -> dict[str, Any]:
    """What a warning's page shows beside it (read once it is known visible)."""
    return {
        "notices": list(
            warning.notices.select_related("org", "acknowledged_by", "escalated_from__org")
        ),
        "actions": list(warning.actions.select_related("org", "actor")),
        "emergencies": list(warning.emergencies.all()),
    }


def case_warnings(case: Any) -> list[RiskWarning]:
    """The case page's warnings (the caller has checked the user may see the case)."""
    return list(RiskWarning.objects.filter(case_id=case.pk).order_by("-raised_at")[:10])


def case_emergencies(case: Any) -> list[EmergencyResponse]:
    return list(EmergencyResponse.objects.filter(case_id=case.pk).order_by("-opened_at")[:10])


def unacknowledged_notices(user: Any) -> tuple[int, list[WarningNotice]]:
    """The supervision board's 预警未签收: notices of open warnings in the user's scope not yet
    acknowledged (past their deadline first), with how many there are."""
    qs = WarningNotice.objects.filter(
        acknowledged_at__isnull=True,
        warning_open=True,
        warning__in=warnings_for_user(user),
    )
    rows = list(qs.select_related("org", "warning__case").order_by("due_at", "pk")[:BOARD_ROWS])
    return qs.count(), rows


def emergencies_for_user(user: Any) -> QuerySet[EmergencyResponse]:
    return restrict(EmergencyResponse.objects.all(), user, VIEW_CASE)


def emergency_list(user: Any, *, closed: bool = False) -> list[EmergencyResponse]:
    status = EmergencyStatus.CLOSED if closed else EmergencyStatus.OPEN
    qs = emergencies_for_user(user).filter(status=status).select_related("case", "lead", "platform")
    return list(
        qs.annotate(
            open_tasks=Count("tasks", filter=Q(tasks__status=EmergencyTaskStatus.OPEN))
        ).order_by("-opened_at")[:PAGE]
    )


def open_emergencies(user: Any) -> tuple[int, list[EmergencyResponse]]:
    """The supervision board's 应急联动 until closed, with how many."""
    qs = emergencies_for_user(user).filter(status=EmergencyStatus.OPEN)
    return qs.count(), emergency_list(user)[:BOARD_ROWS]


def emergency_get_for_user(user: Any, pk: int) -> EmergencyResponse:
    response = (
        emergencies_for_user(user)
        .select_related("case", "lead", "platform", "warning", "opened_by")
        .filter(pk=pk)
        .first()
    )
    if response is None:
        raise Http404
    return response


def emergency_detail(response: EmergencyResponse) -> dict[str, Any]:
    return {
        "team": list(response.orgs.order_by("pk")),
        "tasks": list(response.tasks.select_related("owner_org", "owner_user", "done_by")),
        "log": list(response.log.select_related("org")),
    }
