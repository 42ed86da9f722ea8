"""XLSX exports of the reports. Personal data never appears unmasked in an export; every export
carries a watermark naming who exported it and is recorded in the audit log (DESIGN §5)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.xlsx import XLSX_CONTENT_TYPE, table_workbook
from fengqiao.orgs.reports import CompositionRow, Coverage, Report, StaffingRow, TrainingRow


def _workbook(
    title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], watermark: str
) -> bytes:
    return table_workbook(title, header, rows, preamble=[title, watermark])


def composition_xlsx(rows: Sequence[CompositionRow], watermark: str) -> bytes:
    return _workbook(
        _("调委会组成情况"),
        [_("区划"), _("调委会"), _("类型"), _("委员人数"), _("女性委员"), _("问题")],
        (
            [
                r.org.region.name,
                r.org.name,
                r.org.kind.name,
                r.members,
                r.women,
                "；".join(r.problems) or _("达标"),
            ]
            for r in rows
        ),
        watermark,
    )


def staffing_xlsx(rows: Sequence[StaffingRow], watermark: str) -> bytes:
    return _workbook(
        _("专职调解员配备情况"),
        [_("区划"), _("单位"), _("类型"), _("应配"), _("实配"), _("缺口")],
        (
            [r.org.region.name, r.org.name, r.org.kind.name, r.required, r.full_time, r.shortfall]
            for r in rows
        ),
        watermark,
    )


def training_xlsx(rows: Sequence[TrainingRow], year: int, watermark: str) -> bytes:
    return _workbook(
        _("%(year)d年调解员实训情况") % {"year": year},
        [_("姓名"), _("所属区划"), _("所在单位"), _("实训次数"), _("是否达标")],
        (
            [
                r.person.name,
                r.person.region.name,
                r.org_names,
                r.practical,
                _("达标") if r.practical >= 1 else _("未达标"),
            ]
            for r in rows
        ),
        watermark,
    )


def coverage_xlsx(found: Coverage, watermark: str) -> bytes:
    """The figures as lines above the table of gaps (text cells: nothing runs as a formula)."""
    title = _("调解组织覆盖情况")
    figures = [
        _("%(label)s：应覆盖%(required)d个，已覆盖%(covered)d个，覆盖率%(share)s")
        % {"label": f.label, "required": f.required, "covered": f.covered, "share": f.share}
        for f in found.figures
    ]
    return table_workbook(
        title,
        [_("所在区划"), _("单位"), _("类型"), _("缺少")],
        ([g.place, g.unit, g.kind, g.lacks] for g in found.gaps),
        preamble=[title, watermark, *figures],
    )


@dataclass(frozen=True)
class ExportedFile:
    filename: str
    content: bytes
    content_type: str = XLSX_CONTENT_TYPE


def watermark_for(actor: Any, now: datetime) -> str:
    """The line every export carries: who exported it, when, and that it is for work only."""
    return _("导出人：%(user)s　导出时间：%(time)s　仅限工作使用") % {
        "user": getattr(actor, "display_name", str(actor)),
        "time": now.strftime("%Y-%m-%d %H:%M"),
    }


def report_export(*, actor: Any, report: Report) -> ExportedFile:
    """The report as a watermarked workbook; the export is audited."""
    now = timezone.localtime()
    watermark = watermark_for(actor, now)
    if report.kind == "coverage" and report.coverage is not None:
        content = coverage_xlsx(report.coverage, watermark)
    elif report.kind == "composition":
        content = composition_xlsx(cast(Sequence[CompositionRow], report.rows), watermark)
    elif report.kind == "staffing":
        content = staffing_xlsx(cast(Sequence[StaffingRow], report.rows), watermark)
    else:
        content = training_xlsx(cast(Sequence[TrainingRow], report.rows), report.year, watermark)
    audit_record(
        actor=actor,
        event_type=EventType.DATA_EXPORTED,
        object_type="orgs.report",
        object_id=report.kind,
        object_repr=report.title,
        after={"rows": len(report.rows), "year": report.year, "only_short": report.only_short},
    )
    return ExportedFile(f"{report.kind}-{now:%Y%m%d%H%M}.xlsx", content)
