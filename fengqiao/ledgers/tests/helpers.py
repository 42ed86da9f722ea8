"""Reading a ledger back: its preamble lines, its header and its data rows."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook


@dataclass
class Table:
    preamble: list[str]
    header: list[str]
    rows: list[list[Any]]

    @property
    def text(self) -> str:
        lines = [*self.preamble, "\t".join(self.header)]
        lines += ["\t".join("" if v is None else str(v) for v in row) for row in self.rows]
        return "\n".join(lines)

    def column(self, label: str) -> list[Any]:
        index = self.header.index(label)
        return [row[index] for row in self.rows]


def read_ledger(body: bytes) -> Table:
    """The one sheet of a ledger: the lines above the header (one cell each), the header (the
    first row of several cells), the rows under it."""
    book = load_workbook(io.BytesIO(body), read_only=True)
    preamble: list[str] = []
    header: list[str] | None = None
    rows: list[list[Any]] = []
    for values in book.worksheets[0].iter_rows(values_only=True):
        filled = [v for v in values if v is not None]
        if header is None:
            if len(filled) > 1:
                header = [str(v) for v in values]
            elif filled:
                preamble.append(str(filled[0]))
            continue
        rows.append(list(values))
    book.close()
    assert header is not None, "a ledger has a header row"
    return Table(preamble, header, rows)


def ledger_of(response: Any) -> Table:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    return read_ledger(response.getvalue())
