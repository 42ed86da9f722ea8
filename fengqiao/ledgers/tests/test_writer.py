"""The streaming writer (core/xlsx.py ``stream_workbook``): what it does to a cell, and that a
ledger reads its rows in chunks with what they need fetched once per chunk."""

from __future__ import annotations

import io
import math
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from fengqiao.core.xlsx import chunks, stream_workbook
from fengqiao.disputes.exports import case_ledger
from fengqiao.disputes.tests.factories import register_case

FORMULAS = ['=HYPERLINK("http://x","点我")', "+86 138", "-2+3", "@SUM(A1)"]


def test_formula_like_text_is_quoted_text_and_control_characters_are_dropped() -> None:
    # Given rows with formula-like text, a control character and plain values
    target = io.BytesIO()
    rows = [[text, 1] for text in FORMULAS] + [["张三\x07\x1b丰", 2.5], ["普通", None]]
    # when they are streamed into a workbook under a preamble line that is formula-like too
    written = stream_workbook(target, "台账", ["名称", "数值"], rows, preamble=["=标题", "水印"])
    # then every row is there, nothing is a formula, and the formula-like text is quoted text
    assert written == len(rows)
    book = load_workbook(io.BytesIO(target.getvalue()))
    sheet = book.worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    by_value = {c.value: c for c in cells if c.value is not None}
    for text in [*FORMULAS, "=标题"]:
        assert by_value[text].data_type == "s"
        assert by_value[text].quotePrefix is True
    # and the control characters are gone, the rest of the text kept
    assert "张三丰" in by_value
    assert by_value["普通"].quotePrefix is False
    assert sheet.cell(1, 1).font.bold
    assert [c.value for c in sheet[3]] == ["名称", "数值"]


def test_chunks_cut_any_iterable_without_reading_ahead() -> None:
    read: list[int] = []

    def numbers() -> Any:
        for n in range(7):
            read.append(n)
            yield n

    it = chunks(numbers(), 3)
    assert next(it) == [0, 1, 2]
    assert read == [0, 1, 2]  # nothing beyond the first chunk was read yet
    assert list(it) == [[3, 4, 5], [6]]


def _party_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if '"disputes_party"' in q["sql"]]


@pytest.mark.parametrize("n", [7, 12])
def test_the_case_ledger_reads_in_chunks_with_a_fixed_number_of_queries_per_chunk(
    cast: Any, world: Any, settings: Any, n: int
) -> None:
    # Given n cases the dispatcher sees, and ledgers read 5 rows at a time
    settings.FENGQIAO_LEDGER_CHUNK = 5
    for i in range(n):
        register_case(
            actor=cast.dispatcher,
            platform=world.town_a_platform,
            region=world.village_east,
            title=f"排水沟纠纷{i}",
        )
    ledger = case_ledger(cast.dispatcher, {})
    chunk_count = math.ceil(n / 5)
    # when the first row is taken
    with CaptureQueriesContext(connection) as first:
        rows = ledger.rows()
        assert next(rows)[1].startswith("排水沟纠纷")
    # then only the first chunk's parties were read (5 cases' ids), not the whole table's
    party_sql = _party_queries(first)
    assert len(party_sql) == 1
    ids = re.search(r'"case_id" IN \(([^)]*)\)', party_sql[0])
    assert ids is not None
    assert len(ids.group(1).split(",")) == 5
    # when the rest is taken
    with CaptureQueriesContext(connection) as rest:
        remaining = list(rows)
    assert len(remaining) == n - 1
    # then each further chunk cost the same queries as the first (parties, pending orders,
    # the chunk's disclosure): queries grow with the chunks, never with the rows
    assert len(_party_queries(rest)) == chunk_count - 1
    per_chunk = len(first.captured_queries)
    assert len(rest.captured_queries) <= per_chunk * (chunk_count - 1)
