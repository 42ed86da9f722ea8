"""Small readers for rendered pages and exports, shared by the page tests."""

from __future__ import annotations

import io
import re
from html import unescape

from django.http import HttpResponse
from openpyxl import load_workbook

_TAG = re.compile(r"<[^>]+>")


def page_text(response: HttpResponse) -> str:
    return unescape(_TAG.sub(" ", response.content.decode()))


def table_text(response: HttpResponse, table_id: str) -> str:
    """The visible text of the table with ``id=table_id`` (fails when the table is missing)."""
    html = response.content.decode()
    match = re.search(rf'<table[^>]*\bid="{re.escape(table_id)}"[^>]*>(.*?)</table>', html, re.S)
    assert match is not None, f"no table #{table_id} on the page"
    return unescape(_TAG.sub(" ", match.group(1)))


def xlsx_text(response: HttpResponse) -> str:
    """Every cell of every sheet of an XLSX response, one row a line."""
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    lines = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def names_in(text: str, names: list[str] | set[str]) -> set[str]:
    return {name for name in names if name in text}
