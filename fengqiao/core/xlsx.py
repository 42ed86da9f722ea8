"""Workbooks the platform writes (report exports, import templates) and reads (imports).

Writing: a text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
is what a spreadsheet would run as a formula once someone edits the cell — a party's name such
as ``=HYPERLINK(...)`` must reach the reader as the text it is. Such values are stored as text
with the quote prefix, so Excel and WPS show and keep them as typed.

Reading: values only; a formula in an uploaded file is refused rather than trusted or evaluated,
and the file is first checked as a ZIP archive (``fengqiao.core.uploads.check_xlsx``: no zip
bomb, no macros).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, cast
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from fengqiao.core.uploads import UploadRefused, check_xlsx

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# An upload larger than this is not a roster of one county.
MAX_ROWS = 20_000


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def set_cell(cell: Cell, value: Any) -> None:
    """Store ``value`` in ``cell``; formula-like text is stored as quoted text."""
    if is_formula_like(value):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """``sheet.append`` that never writes a formula."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        set_cell(sheet.cell(row=row, column=column), value)


def table_workbook(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    preamble: Sequence[str] = (),
    width: int = 22,
) -> bytes:
    """One sheet: optional preamble lines (a title, a watermark, instructions), a bold header,
    the rows. Returns the file's bytes."""
    book = Workbook()
    sheet = cast(Worksheet, book.active)
    sheet.title = title[:31]
    for i, line in enumerate(preamble):
        append_row(sheet, [line])
        if i == 0:
            sheet.cell(1, 1).font = Font(bold=True, size=14)
    append_row(sheet, list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, list(row))
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class WorkbookError(Exception):
    """The upload is not a workbook this platform can read; the message is shown to the user."""


@dataclass(frozen=True)
class SheetRow:
    """One data row: its number as the spreadsheet shows it, and its cells by header."""

    number: int
    values: dict[str, Any]
    formula_columns: tuple[str, ...] = ()


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def read_table(upload: IO[bytes], header: Sequence[str]) -> Iterator[SheetRow]:
    """The rows under the first row that holds every column of ``header`` (the template puts
    instructions above it). Blank rows are skipped; formula cells are reported per row."""
    try:
        check_xlsx(upload)
    except UploadRefused as exc:
        raise WorkbookError(str(exc)) from exc
    try:
        book = load_workbook(upload, read_only=True, data_only=False)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookError(_("无法读取该文件，请上传由模板填写的 .xlsx 文件。")) from exc
    sheet = book.worksheets[0]
    columns: dict[str, int] | None = None
    count = 0
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        raw = [c.value for c in cells]
        if columns is None:
            labels = [str(v).strip().rstrip("*＊") if v is not None else "" for v in raw]
            if all(h in labels for h in header):
                columns = {h: labels.index(h) for h in header}
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue
        count += 1
        if count > MAX_ROWS:
            raise WorkbookError(_("文件超过%(n)d行，请分批导入。") % {"n": MAX_ROWS})
        values: dict[str, Any] = {}
        formulas: list[str] = []
        for name, index in columns.items():
            cell = cells[index] if index < len(cells) else None
            value = cell.value if cell is not None else None
            if cell is not None and getattr(cell, "data_type", None) == "f":
                formulas.append(name)
            values[name] = _cell_value(value)
        yield SheetRow(number=number, values=values, formula_columns=tuple(formulas))
    book.close()
    if columns is None:
        raise WorkbookError(
            _("未找到表头（应含：%(columns)s），请使用下载的模板。")
            % {"columns": "、".join(header)}
        )


def as_text(value: Any) -> str:
    """A cell as text: numbers without a trailing ``.0``, dates as ISO, None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value).strip()
