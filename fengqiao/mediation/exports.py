"""调解记录 and 调解协议 ledgers (``fengqiao.ledgers``). Neither has a list page of its own:
both are exported from the case list, of the cases that list shows with its filters — the
query string parsed by the list's own form and the cases selected by the list's own selector
(``disputes.selectors.case_list_selection``), so the two ledgers cover exactly the cases on
screen. Parties are named as the case list names them (``disputes.disclosure``); no ID number
or phone, and not the free text of a record or of the terms (it may quote either).

Rows are read ``ledger_chunk()`` at a time with their case, its parties' names and (sessions) the
mediators prefetched per chunk."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.accounts.models import User
from fengqiao.core.xlsx import chunks, field_labels, ledger_chunk
from fengqiao.disputes import forms as case_forms
from fengqiao.disputes.exports import audit_filters, handler_name, local_minute
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.disputes.selectors import case_list_selection, case_party_names, party_names
from fengqiao.ledgers.registry import Ledger, LedgerKind
from fengqiao.mediation.models import Agreement, MediationSession


def _listed_cases(user: Any, params: Mapping[str, Any]) -> QuerySet[Any]:
    query = case_forms.case_list_query(user, params)
    return case_list_selection(user, query.filters, queue=query.queue).order_by().values("pk")


def _names(user: Any, rows: list[Any]) -> dict[int, str]:
    """case id → its parties' names as ``user`` is shown them, for one chunk's cases."""
    cases = list({row.case_id: row.case for row in rows}.values())
    return case_party_names(user, cases)


# --- 调解记录 -----------------------------------------------------------------------------------


def _session_rows(user: Any, sessions: QuerySet[MediationSession]) -> Iterator[Sequence[Any]]:
    mode = field_labels(MediationSession, "mode")
    for chunk in chunks(sessions.iterator(chunk_size=ledger_chunk())):
        names = _names(user, chunk)
        for s in chunk:
            yield [
                s.case.number,
                s.case.title,
                names[s.case_id],
                local_minute(s.held_at),
                mode.get(s.mode, s.mode),
                s.place,
                "、".join(m.display_name for m in s.mediators.all()),
                s.outcome,
                s.recorded_by.display_name if s.recorded_by else "",
            ]


def session_ledger(user: Any, params: Mapping[str, Any]) -> Ledger:
    """调解记录台账: every session held on the cases of the case list as filtered."""
    people = User.objects.only("id", "real_name", "username")
    sessions = (
        MediationSession.objects.filter(case__in=_listed_cases(user, params))
        .select_related("case__platform", "recorded_by")
        .defer("record", "attendees", "case__facts", "case__claims")
        .prefetch_related(
            Prefetch("case__parties", queryset=party_names()),
            Prefetch("mediators", queryset=people),
        )
        .order_by("-held_at", "-pk")
    )
    return Ledger(
        title=_("调解记录台账"),
        header=[
            _("案件编号"),
            _("纠纷简述"),
            _("当事人"),
            _("调解时间"),
            _("调解方式"),
            _("调解地点"),
            _("调解员"),
            _("调解结果"),
            _("记录人"),
        ],
        queryset=sessions,
        rows=lambda: _session_rows(user, sessions),
        filters=audit_filters(params),
    )


# --- 调解协议 -----------------------------------------------------------------------------------


def _agreement_rows(user: Any, agreements: QuerySet[Agreement]) -> Iterator[Sequence[Any]]:
    kind = field_labels(Agreement, "kind")
    status = field_labels(Case, "status")
    for chunk in chunks(agreements.iterator(chunk_size=ledger_chunk())):
        names = _names(user, chunk)
        for a in chunk:
            yield [
                a.case.number,
                a.case.title,
                names[a.case_id],
                kind.get(a.kind, a.kind),
                local_minute(a.concluded_at),
                a.performance_method,
                a.performance_deadline.isoformat() if a.performance_deadline else "",
                handler_name(a.case),
                status.get(a.case.status, a.case.status),
            ]


def agreement_ledger(user: Any, params: Mapping[str, Any]) -> Ledger:
    """调解协议台账: the agreement of each case of the case list as filtered that has one."""
    agreements = (
        Agreement.objects.filter(case__in=_listed_cases(user, params))
        .select_related("case__handling_org", "case__platform")
        .defer("facts", "disputed_points", "responsibilities", "terms", "case__facts")
        .prefetch_related(Prefetch("case__parties", queryset=party_names()))
        .order_by("-concluded_at", "-pk")
    )
    return Ledger(
        title=_("调解协议台账"),
        header=[
            _("案件编号"),
            _("纠纷简述"),
            _("当事人"),
            _("协议形式"),
            _("达成时间"),
            _("履行方式"),
            _("履行期限"),
            _("承办单位"),
            _("案件状态"),
        ],
        queryset=agreements,
        rows=lambda: _agreement_rows(user, agreements),
        filters=audit_filters(params),
    )


SESSION_LEDGER = LedgerKind(
    code="sessions",
    label=gettext_lazy("调解记录台账"),
    list_url="disputes:case_list",
    perms=(VIEW_CASE,),
    build=session_ledger,
    order=20,
)
AGREEMENT_LEDGER = LedgerKind(
    code="agreements",
    label=gettext_lazy("调解协议台账"),
    list_url="disputes:case_list",
    perms=(VIEW_CASE,),
    build=agreement_ledger,
    order=30,
)
