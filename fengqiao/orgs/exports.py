"""XLSX exports of the reports. Personal data never appears unmasked in an export."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from fengqiao.orgs.reports import CompositionRow, StaffingRow, TrainingRow


def _workbook(
    title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], watermark: str
) -> bytes:
    book = Workbook()
    sheet = book.create_sheet(index=0)
    book.remove(book.worksheets[1])
    sheet.title = title[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([watermark])
    sheet.append(list(header))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 22
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def composition_xlsx(rows: list[CompositionRow], watermark: str) -> bytes:
    return _workbook(
        "调委会组成情况",
        ["区划", "调委会", "类型", "委员人数", "女性委员", "问题"],
        (
            [
                r.org.region.name,
                r.org.name,
                r.org.kind.name,
                r.members,
                r.women,
                "；".join(r.problems) or "达标",
            ]
            for r in rows
        ),
        watermark,
    )


def staffing_xlsx(rows: list[StaffingRow], watermark: str) -> bytes:
    return _workbook(
        "专职调解员配备情况",
        ["区划", "单位", "类型", "应配", "实配", "缺口"],
        (
            [r.org.region.name, r.org.name, r.org.kind.name, r.required, r.full_time, r.shortfall]
            for r in rows
        ),
        watermark,
    )


def training_xlsx(rows: list[TrainingRow], year: int, watermark: str) -> bytes:
    return _workbook(
        f"{year}年调解员实训情况",
        ["姓名", "所属区划", "所在单位", "实训次数", "是否达标"],
        (
            [
                r.person.name,
                r.person.region.name,
                r.org_names,
                r.practical,
                "达标" if r.practical >= 1 else "未达标",
            ]
            for r in rows
        ),
        watermark,
    )
