"""外部指标导入 — figures from outside the platform (court filings, 公安 and 司法行政 statistics,
population) as an XLSX template or a CSV file, per region, indicator and period.

All or nothing, like the roster import (orgs/imports.py, whose row helpers this uses): every row is
checked first and every bad row reported with its number and a Chinese reason; only a file
without a bad row is written, in one transaction, with one audit event. A row for a region,
indicator and period already imported replaces the figure (a corrected statistic), keeping who
imported it and when."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.access import scope_for
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.xlsx import MAX_ROWS, SheetRow, as_text, table_workbook
from fengqiao.orgs.imports import (
    IMPORT_MAX_BYTES,
    MAX_ERRORS_SHOWN,
    ImportRejected,
    RowInput,
    choice_cell,
    choices_by_label,
    read_rows,
    refuse_if_errors,
    regions_by_code,
    start_row,
    text_cell,
)
from fengqiao.stats.choices import ExternalIndicator
from fengqiao.stats.models import ExternalFigure
from fengqiao.stats.periods import MAX_DAY, MIN_DAY
from fengqiao.stats.permissions import ADD_EXTERNALFIGURE

__all__ = ["IMPORT_MAX_BYTES", "MAX_ERRORS_SHOWN", "ImportRejected"]

COLUMNS = ["区划代码", "指标", "期间起", "期间止", "数值", "数据来源"]
REQUIRED = set(COLUMNS)
# A figure is at most a year's: a longer one cannot be compared with any period of the measures.
MAX_PERIOD_DAYS = 366
MAX_VALUE = Decimal("999999999999.99")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class ExternalImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0


def may_import(user: Any, region: Any) -> bool:
    scope = scope_for(user, ADD_EXTERNALFIGURE)
    return scope.everything or any(region.path.startswith(p) for p in scope.region_paths)


def _csv_rows(data: bytes) -> list[SheetRow]:
    """The rows of a CSV file under its header row, decoded as UTF-8 (with or without BOM) or
    GB18030 (what a spreadsheet saves on a Chinese desktop) — never guessed from the bytes."""
    if b"\x00" in data:
        raise ImportRejected([(None, _("该文件不是文本格式的 CSV，请上传 .csv 或 .xlsx 文件。"))])
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected([(None, _("无法识别该 CSV 文件的编码，请另存为 UTF-8 编码。"))])
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    rows: list[SheetRow] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if columns is None:
                labels = [c.strip().rstrip("*＊") for c in cells]
                if all(h in labels for h in COLUMNS):
                    columns = {h: labels.index(h) for h in COLUMNS}
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportRejected([(None, _("文件超过%(n)d行，请分批导入。") % {"n": MAX_ROWS})])
            values = {h: cells[i].strip() if i < len(cells) else "" for h, i in columns.items()}
            rows.append(SheetRow(number=number, values=values))
    except csv.Error:
        raise ImportRejected([(None, _("CSV 文件格式有误，请用模板另存为 CSV。"))]) from None
    if columns is None:
        raise ImportRejected(
            [
                (
                    None,
                    _("未找到表头（应含：%(columns)s），请使用下载的模板。")
                    % {"columns": "、".join(COLUMNS)},
                )
            ]
        )
    if not rows:
        raise ImportRejected([(None, _("文件中没有数据行。"))])
    return rows


def _day(row: RowInput, column: str, raw: Any) -> date | None:
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(as_text(raw).replace("/", "-"))
        except ValueError:
            row.errors.append(_("“%(column)s”应为日期，如 2026-01-01。") % {"column": column})
            return None
    if not MIN_DAY <= value <= MAX_DAY:
        row.errors.append(
            _("“%(column)s”须在 %(a)s 至 %(b)s 之间。")
            % {"column": column, "a": MIN_DAY.isoformat(), "b": MAX_DAY.isoformat()}
        )
        return None
    return value


def _value(row: RowInput, raw: Any) -> Decimal | None:
    try:
        value = Decimal(as_text(raw).replace(",", "").replace("，", ""))
    except InvalidOperation:
        row.errors.append(_("“数值”应为数字。"))
        return None
    if not value.is_finite() or value < 0 or value > MAX_VALUE:
        row.errors.append(_("“数值”应为不小于 0 的数字。"))
        return None
    if value != value.quantize(Decimal("0.01")):
        row.errors.append(_("“数值”最多保留两位小数。"))
        return None
    return value


def external_figures_import(*, actor: Any, upload: IO[bytes], name: str) -> ExternalImportResult:
    """Import an XLSX (by the template) or a CSV file of outside figures; ``ImportRejected``
    lists every bad row and nothing is written."""
    if name.lower().endswith(".csv"):
        sheet = _csv_rows(upload.read())
    else:
        sheet = read_rows(upload, COLUMNS)
    regions = regions_by_code(as_text(r.values.get("区划代码")) for r in sheet)
    indicators = choices_by_label(ExternalIndicator.choices)
    rows: list[RowInput] = []
    seen: dict[tuple[Any, ...], int] = {}
    for sheet_row in sheet:
        row = start_row(sheet_row, REQUIRED)
        values = sheet_row.values
        code = as_text(values.get("区划代码"))
        region = regions.get(code)
        if code and region is None:
            row.errors.append(_("区划代码%(code)s不存在。") % {"code": code})
        elif region is not None and not may_import(actor, region):
            row.errors.append(_("您无权导入“%(region)s”的数据。") % {"region": region.name})
        indicator = choice_cell(row, "指标", as_text(values.get("指标")), indicators, default=None)
        start = _day(row, "期间起", values.get("期间起")) if values.get("期间起") else None
        end = _day(row, "期间止", values.get("期间止")) if values.get("期间止") else None
        if start and end:
            if end < start:
                row.errors.append(_("“期间止”不能早于“期间起”。"))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                row.errors.append(_("一行的期间最长一年，请按年、季或月分行填写。"))
        value = _value(row, values.get("数值")) if as_text(values.get("数值")) else None
        source = text_cell(row, "数据来源", values.get("数据来源"), 200)
        key = (region.pk if region else None, indicator, start, end)
        if not row.errors:
            if key in seen:
                row.errors.append(_("与第%(n)d行重复（同一地区、指标和期间）。") % {"n": seen[key]})
            seen[key] = row.number
        row.values = {
            "region": region,
            "indicator": indicator,
            "period_start": start,
            "period_end": end,
            "value": value,
            "source": source,
        }
        rows.append(row)
    refuse_if_errors(rows)
    return _write(actor, rows)


def _write(actor: Any, rows: list[RowInput]) -> ExternalImportResult:
    result = ExternalImportResult(rows=len(rows))
    now = timezone.now()
    with transaction.atomic():
        for row in rows:
            v = row.values
            _figure, created = ExternalFigure.objects.update_or_create(
                region=v["region"],
                indicator=v["indicator"],
                period_start=v["period_start"],
                period_end=v["period_end"],
                defaults={
                    "value": v["value"],
                    "source": v["source"],
                    "imported_by": actor,
                    "imported_at": now,
                },
            )
            if created:
                result.created += 1
            else:
                result.updated += 1
        audit_record(
            actor=actor,
            event_type=EventType.EXTERNAL_FIGURES_IMPORTED,
            object_type="stats.externalfigure",
            object_repr=_("外部指标数据 %(n)d 行") % {"n": result.rows},
            after={"rows": result.rows, "created": result.created, "updated": result.updated},
        )
    return result


def external_template() -> bytes:
    title = _("外部指标导入模板")
    header = [f"{c}*" for c in COLUMNS]
    return table_workbook(
        title,
        header,
        [],
        width=16,
        preamble=[
            title,
            _(
                "每行为一个地区一个指标一个期间的数值；期间最长一年（可按月、季或年填写）；重复导入同一地区、指标和期间时更新原值。"
            ),
            _("指标可填：%(names)s")
            % {"names": "、".join(str(label) for _v, label in ExternalIndicator.choices)},
            _("数据来源请写明出处，如：县人民法院审判管理办公室2026年第3季度统计报表。"),
            _("也可另存为CSV文件（UTF-8或GB18030编码）上传。"),
        ],
    )
