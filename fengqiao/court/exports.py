"""司法确认台账 (``fengqiao.ledgers``): one tab of the court's queue (待受理, 待裁定, 已裁定) as
the queue reads it (``selectors.confirmation_tab_for_user``: the user's courts, the tab named
by the same query string, the same order). Applicants are masked as the queue masks them; no ID
number or phone. Read ``ledger_chunk()`` at a time, applicants prefetched per chunk."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.masking import mask_name
from fengqiao.core.xlsx import chunks, field_labels, ledger_chunk
from fengqiao.court.models.confirmation import Confirmation
from fengqiao.court.permissions import REVIEW_CONFIRMATION, RULE_CONFIRMATION
from fengqiao.court.selectors import confirmation as selectors
from fengqiao.disputes.exports import local_minute
from fengqiao.disputes.models import Party
from fengqiao.ledgers.registry import Ledger, LedgerKind

TAB_LABELS = {
    selectors.TO_ACCEPT: gettext_lazy("待受理"),
    selectors.TO_RULE: gettext_lazy("待裁定"),
    selectors.DECIDED: gettext_lazy("已裁定"),
}


def _rows(confirmations: QuerySet[Confirmation]) -> Iterator[Sequence[Any]]:
    status = field_labels(Confirmation, "status")
    for chunk in chunks(confirmations.iterator(chunk_size=ledger_chunk())):
        for c in chunk:
            yield [
                c.number,
                c.case.number,
                "、".join(mask_name(p.name) for p in c.applicants.all()),
                c.filed_org.name,
                local_minute(c.filed_at),
                status.get(c.status, c.status),
                local_minute(c.accept_due_at),
                local_minute(c.rule_due_at),
                local_minute(c.decided_at),
            ]


def confirmation_ledger(user: Any, params: Mapping[str, Any]) -> Ledger:
    tab = selectors.queue_tab(str(params.get("tab", "") or ""))
    confirmations = (
        selectors.confirmation_tab_for_user(user, tab)
        .select_related("case", "filed_org")
        .only(*selectors.QUEUE_FIELDS, "case__id", "filed_org__id")
        .prefetch_related(
            Prefetch("applicants", queryset=Party.objects.only("pk", "name", "case_id"))
        )
    )
    return Ledger(
        title=_("司法确认台账"),
        header=[
            _("案号"),
            _("案件编号"),
            _("申请人"),
            _("调解组织"),
            _("申请时间"),
            _("状态"),
            _("受理期限"),
            _("裁定期限"),
            _("决定时间"),
        ],
        queryset=confirmations,
        rows=lambda: _rows(confirmations),
        filters={"tab": tab},
        notes=[_("范围：%(tab)s") % {"tab": TAB_LABELS[tab]}],
    )


CONFIRMATION_LEDGER = LedgerKind(
    code="confirmations",
    label=gettext_lazy("司法确认台账"),
    list_url="court:confirmation_queue",
    perms=(REVIEW_CONFIRMATION, RULE_CONFIRMATION),
    build=confirmation_ledger,
    order=40,
)
