"""纠纷台账 — the case list as a workbook. Parties are named as the list names them for the user
who exports (``disputes.disclosure``: whole for the cases they work, masked for the others); the
ledger carries no ID number or phone at all. Every export is watermarked with who exported it
and written to the audit log (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.xlsx import table_workbook
from fengqiao.disputes.models import Case
from fengqiao.disputes.selectors import case_party_names
from fengqiao.orgs.exports import ExportedFile, watermark_for

# A ledger is a working list, not a copy of the database: a larger selection is cut here and
# the sheet says so (the list's filters narrow it).
MAX_LEDGER_ROWS = 5000
CHUNK = 500
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


def _rows(actor: Any, cases: list[Case]) -> list[list[Any]]:
    rows = []
    for start in range(0, len(cases), CHUNK):
        chunk = cases[start : start + CHUNK]
        names = case_party_names(actor, chunk)
        for c in chunk:
            waiting = "、".join(o.to_org.name for o in getattr(c, "waiting_orders", []))
            handler = c.handling_org.name if c.handling_org else waiting
            rows.append(
                [
                    c.number,
                    c.title,
                    names[c.pk],
                    str(c.get_category_display()),
                    str(c.get_grade_display()),
                    str(c.get_status_display()),
                    c.region.name,
                    handler,
                    timezone.localtime(c.registered_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )
    return rows


def case_ledger_export(
    *, actor: Any, cases: QuerySet[Case], filters: Mapping[str, str] | None = None
) -> ExportedFile:
    """The cases of ``cases`` (a ``case_list_page`` the actor may see, already filtered) as a
    watermarked workbook of at most ``MAX_LEDGER_ROWS`` rows; the export is audited with the
    list's filters — but not a keyword, which may be a party's name."""
    now = timezone.localtime()
    picked = list(cases[: MAX_LEDGER_ROWS + 1])
    cut = len(picked) > MAX_LEDGER_ROWS
    picked = picked[:MAX_LEDGER_ROWS]
    title = _("纠纷台账")
    preamble = [title, watermark_for(actor, now)]
    if cut:
        preamble.append(
            _("仅导出前%(n)d件，请用查询条件缩小范围后分批导出。") % {"n": MAX_LEDGER_ROWS}
        )
    content = table_workbook(
        title,
        [
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
        _rows(actor, picked),
        preamble=preamble,
    )
    audit_record(
        actor=actor,
        event_type=EventType.DATA_EXPORTED,
        object_type="disputes.case",
        object_id="ledger",
        object_repr=title,
        after={
            "rows": len(picked),
            "cut": cut,
            "filters": {k: str(v)[:50] for k, v in (filters or {}).items() if k in FILTER_KEYS},
            "keyword": bool((filters or {}).get("q")),
        },
    )
    return ExportedFile(f"cases-{now:%Y%m%d%H%M}.xlsx", content)
