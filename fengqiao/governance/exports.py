"""会议台账 and 排查报告台账 (``fengqiao.ledgers``).

- 会议: the meetings of 会议与任务 as the page reads them (``selectors.meeting_rows_for_user``:
  scope, order, the count of resolutions), every one rather than the page's first fifty.
- 排查报告: the reports of the 报送情况 board's selection — its query string parsed by the
  board's own ``selectors.board_query`` (level or 专项排查), the units of its rows
  (``selectors.board_reports``), every period filed rather than the board's recent columns. A
  report not filed has no row (the board shows those as 未报).

No party is named in either. Read ``ledger_chunk()`` at a time; a meeting's participants are
prefetched per chunk."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.xlsx import chunks, field_labels, ledger_chunk
from fengqiao.disputes.exports import local_minute
from fengqiao.disputes.permissions import VIEW_CASE
from fengqiao.governance import selectors
from fengqiao.governance.choices import ScreeningState
from fengqiao.governance.models import SCREENING_LEVELS, Meeting, ScreeningPlan, ScreeningReport
from fengqiao.ledgers.registry import Ledger, LedgerKind
from fengqiao.orgs.models import Organization

STATE_LABELS = dict(ScreeningState.choices)
LEVEL_LABELS = dict(SCREENING_LEVELS)

# --- 会议 ---------------------------------------------------------------------------------------


def _meeting_rows(meetings: QuerySet[Meeting]) -> Iterator[Sequence[Any]]:
    status = field_labels(Meeting, "status")
    for chunk in chunks(meetings.iterator(chunk_size=ledger_chunk())):
        for m in chunk:
            yield [
                m.title,
                m.meeting_type.name,
                m.convening_org.name,
                m.held_on.isoformat(),
                m.place,
                "、".join(o.name for o in m.participants.all()),
                status.get(m.status, m.status),
                m.resolution_count,
            ]


def meeting_ledger(user: Any, params: Mapping[str, Any]) -> Ledger:
    meetings = (
        selectors.meeting_rows_for_user(user)
        .defer("minutes")
        .prefetch_related(
            Prefetch("participants", queryset=Organization.objects.only("id", "name"))
        )
    )
    return Ledger(
        title=_("会议台账"),
        header=[
            _("会议名称"),
            _("会议类型"),
            _("召集单位"),
            _("会议日期"),
            _("地点"),
            _("参会单位"),
            _("状态"),
            _("决定事项"),
        ],
        queryset=meetings,
        rows=lambda: _meeting_rows(meetings),
    )


# --- 排查报告 -----------------------------------------------------------------------------------


def _report_rows(reports: QuerySet[ScreeningReport]) -> Iterator[Sequence[Any]]:
    cadence = field_labels(ScreeningPlan, "cadence")
    for chunk in chunks(reports.iterator(chunk_size=ledger_chunk())):
        for r in chunk:
            yield [
                r.unit.name,
                r.unit.code,
                r.campaign.title if r.campaign else cadence.get(r.plan.cadence, r.plan.cadence),
                f"{r.period_start.isoformat()}至{r.period_end.isoformat()}",
                local_minute(r.due_at),
                local_minute(r.filed_at),
                str(STATE_LABELS[r.state]),
                r.filing_org.name if r.filing_org else "",
                r.filed_by.display_name if r.filed_by else "",
            ]


def screening_ledger(user: Any, params: Mapping[str, Any]) -> Ledger:
    query = selectors.board_query(user, params)
    reports = (
        selectors.board_reports(user, query)
        .select_related("unit", "plan", "campaign", "filing_org", "filed_by")
        .defer("note", "campaign__note")
    )
    if query.campaign is not None:
        scope = _("专项排查：%(title)s") % {"title": query.campaign.title}
        filters: dict[str, Any] = {"campaign": query.campaign.pk}
    else:
        scope = _("报送单位：%(level)s") % {"level": LEVEL_LABELS.get(query.level, query.level)}
        filters = {"level": query.level}
    return Ledger(
        title=_("排查报告台账"),
        header=[
            _("报送单位"),
            _("区划代码"),
            _("排查类型"),
            _("期次"),
            _("应报时间"),
            _("报送时间"),
            _("报送情况"),
            _("报送组织"),
            _("报送人"),
        ],
        queryset=reports,
        rows=lambda: _report_rows(reports),
        filters=filters,
        notes=[scope],
    )


MEETING_LEDGER = LedgerKind(
    code="meetings",
    label=gettext_lazy("会议台账"),
    list_url="governance:home",
    perms=(VIEW_CASE,),
    build=meeting_ledger,
    order=70,
)
SCREENING_LEDGER = LedgerKind(
    code="screening",
    label=gettext_lazy("排查报告台账"),
    list_url="governance:screening",
    perms=(VIEW_CASE,),
    build=screening_ledger,
    order=60,
)
