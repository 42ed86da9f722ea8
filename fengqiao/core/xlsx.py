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
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, cast
from zipfile import BadZipFile

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
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


# --- Ledgers: one sheet of any length, written as it is read -------------------------------------

# A ledger's queryset is read this many rows at a time (``QuerySet.iterator(chunk_size=…)``);
# what a row needs beside its own columns is fetched once per chunk.
LEDGER_CHUNK = 2000


def ledger_chunk() -> int:
    """The chunk size (``FENGQIAO_LEDGER_CHUNK`` overrides it: the tests read in small chunks)."""
    return int(getattr(settings, "FENGQIAO_LEDGER_CHUNK", LEDGER_CHUNK))


def clean_cell(value: Any) -> Any:
    """A value as a ledger cell holds it: text without the control characters a workbook cannot
    hold (a spreadsheet refuses the whole file over one), everything else as it is."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def field_labels(model: Any, name: str) -> dict[Any, str]:
    """A choice field's value → its label, read once per ledger: ``get_FOO_display()`` hashes
    every lazy label of the field on each call, which was most of a ledger's time per row."""
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


def chunks(rows: Iterable[Any], size: int | None = None) -> Iterator[list[Any]]:
    """``rows`` in lists of ``size`` (``ledger_chunk()``): a ledger reads
    ``queryset.iterator(chunk_size=ledger_chunk())`` through this and fetches what the chunk's
    rows need beside them (names, orgs) in one query per chunk, never per row and never for the
    whole table."""
    size = size or ledger_chunk()
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stream_workbook(
    target: IO[bytes],
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    preamble: Sequence[str] = (),
    width: int = 22,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write one sheet to ``target`` as ``table_workbook`` lays it out (preamble, bold header,
    rows) in openpyxl's write-only mode, and return the number of data rows.

    Why write-only openpyxl into a temporary file rather than a zip streamed to the socket: the
    write-only sheet writes each row to its own temporary XML file as it comes and keeps
    nothing of it (its strings are inline, there is no shared-strings table growing with the
    rows), so memory stays flat however long the ledger; the finished file then has a length,
    which the browser shows as progress and which a background export (too large to wait for)
    needs anyway, stored for download. A hand-written streaming zip would save the disk pass
    but write the XLSX parts by hand and leave the response without a length.

    Cells: text loses control characters (``clean_cell``) and text that starts with ``=``, ``+``,
    ``-`` or ``@`` is stored as quoted text, as ``set_cell`` does — a party's name never runs as
    a formula."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for i, line in enumerate(preamble):
        first = WriteOnlyCell(sheet, value=clean_cell(line))
        if is_formula_like(first.value):
            first.data_type = "s"
            first.quotePrefix = True
        if i == 0:
            first.font = Font(bold=True, size=14)
        sheet.append([first])
    bold = Font(bold=True)
    head = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=clean_cell(label))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in rows:
        sheet.append([_ledger_cell(sheet, value) for value in row])
        count += 1
        if on_row is not None:
            on_row(count)
    book.save(target)
    return count


def _ledger_cell(sheet: Any, value: Any) -> Any:
    value = clean_cell(value)
    if not is_formula_like(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def ledger_tempfile() -> IO[bytes]:
    """Where a ledger is written before it is sent: deleted when closed (a streamed response
    closes it when the last byte is out)."""
    return tempfile.TemporaryFile(suffix=".xlsx")


def tables_workbook(
    tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
    *,
    preamble: Sequence[str] = (),
    width: int = 18,
) -> bytes:
    """A sheet per (title, header, rows), each under the same preamble lines (the first bold),
    a bold header, the rows; no cell a formula. Returns the file's bytes."""
    book = Workbook()
    first = True
    for title, header, rows in tables:
        sheet = cast(Worksheet, book.active) if first else book.create_sheet()
        first = False
        sheet.title = title[:31]
        for line in preamble:
            append_row(sheet, [line])
        if preamble:
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
