"""风险预警台账 (``fengqiao.ledgers``): one tab of 风险预警 (待我单位签收, 处置中, 已办结) as the
page reads it (``selectors.warning_tab`` names the tab from the same query string,
``selectors.warning_tab_for_user`` scopes and orders it). The list names no party, nor does the
ledger. Read ``ledger_chunk()`` at a time with each warning's case."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.xlsx import chunks, field_labels, ledger_chunk
from fengqiao.disputes.exports import local_minute
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.ledgers.registry import Ledger, LedgerKind
from fengqiao.risk import selectors
from fengqiao.risk.models import RiskWarning


def _rows(warnings: QuerySet[RiskWarning]) -> Iterator[Sequence[Any]]:
    grade = field_labels(RiskWarning, "grade")
    status = field_labels(RiskWarning, "status")
    for chunk in chunks(warnings.iterator(chunk_size=ledger_chunk())):
        for w in chunk:
            yield [
                grade.get(w.grade, w.grade),
                w.case.number,
                w.case.title,
                "；".join(str(r) for r in (w.reasons or [])),
                local_minute(w.raised_at),
                status.get(w.status, w.status),
                local_minute(w.closed_at),
            ]


def warning_ledger(user: Any, params: Mapping[str, Any]) -> Ledger:
    tab = selectors.warning_tab(user, str(params.get("tab", "") or ""))
    warnings = (
        selectors.warning_tab_for_user(user, tab)
        .defer("facts", "measures", "closing_note", "case__facts", "case__claims")
        .order_by("-raised_at", "-pk")
    )
    return Ledger(
        title=_("风险预警台账"),
        header=[
            _("预警等级"),
            _("案件编号"),
            _("纠纷简述"),
            _("研判依据"),
            _("预警时间"),
            _("状态"),
            _("办结时间"),
        ],
        queryset=warnings,
        rows=lambda: _rows(warnings),
        filters={"tab": tab},
        notes=[_("范围：%(tab)s") % {"tab": selectors.WARNING_TABS[tab]}],
    )


WARNING_LEDGER = LedgerKind(
    code="warnings",
    label=gettext_lazy("风险预警台账"),
    list_url="risk:warning_list",
    perms=(VIEW_CASE,),
    build=warning_ledger,
    order=50,
)
