"""纠纷台账 — the case list as a ledger (``fengqiao.ledgers``): the list's query string parsed
by the list's own form (``forms.case_list_query``) and read through the list's own selector
(``selectors.case_list_page``), so the ledger holds every case the list would show, page after
page, and nothing else. Parties are named as the list names them for the user who exports
(``disputes.disclosure``: whole for the cases they work, masked for the others); the ledger
carries no ID number or phone at all.

The cases are read ``ledger_chunk()`` at a time: each chunk's parties and pending orders are
prefetched with it and its disclosure is decided in a few queries for the whole chunk."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.xlsx import chunks, field_labels, ledger_chunk
from fengqiao.disputes import forms, selectors
from fengqiao.disputes.models import Case
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.ledgers.registry import Ledger, LedgerKind

# The filters the audit log records of a selection (a keyword is recorded only as present: it
# may be a party's name).
FILTER_KEYS = (
    "queue",
    "status",
    "category",
    "grade",
    "channel",
    "region",
    "since",
    "until",
    "overdue",
)


def audit_filters(params: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a case-list selection."""
    return {
        "filters": {k: str(v)[:50] for k, v in params.items() if k in FILTER_KEYS and v},
        "keyword": bool(params.get("q")),
    }


def handler_name(case: Case) -> str:
    """承办单位 as the list shows it: the handling org, or the orgs a dispatch waits at."""
    if case.handling_org is not None:
        return case.handling_org.name
    return "、".join(o.to_org.name for o in getattr(case, "waiting_orders", []))


def local_minute(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _case_rows(user: Any, cases: Any) -> Iterator[Sequence[Any]]:
    category = field_labels(Case, "category")
    grade = field_labels(Case, "grade")
    status = field_labels(Case, "status")
    for chunk in chunks(cases.iterator(chunk_size=ledger_chunk())):
        names = selectors.case_party_names(user, chunk)
        for c in chunk:
            yield [
                c.number,
                c.title,
                names[c.pk],
                category.get(c.category, c.category),
                grade.get(c.grade, c.grade),
                status.get(c.status, c.status),
                c.region.name,
                handler_name(c),
                local_minute(c.registered_at),
            ]


def case_ledger(user: Any, params: Mapping[str, Any]) -> Ledger:
    """纠纷台账 of the case list as filtered by ``params`` (its query string) for ``user``."""
    query = forms.case_list_query(user, params)
    # The list's cases without the long texts no column shows.
    cases = selectors.case_list_page(user, query.filters, queue=query.queue).defer(
        "facts", "claims", "address"
    )
    return Ledger(
        title=_("纠纷台账"),
        header=[
            _("案件编号"),
            _("纠纷简述"),
            _("当事人"),
            _("类别"),
            _("风险"),
            _("状态"),
            _("发生地"),
            _("承办单位"),
            _("登记时间"),
        ],
        queryset=cases,
        rows=lambda: _case_rows(user, cases),
        filters=audit_filters(params),
    )


CASE_LEDGER = LedgerKind(
    code="cases",
    label=gettext_lazy("纠纷台账"),
    list_url="disputes:case_list",
    perms=(VIEW_CASE,),
    build=case_ledger,
    order=10,
)
