"""Workbooks written by the platform never carry a formula; uploads are read as values."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from fengqiao.core.xlsx import WorkbookError, read_table, table_workbook


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    content = table_workbook(
        "名单",
        ["姓名", "备注", "金额"],
        [['=HYPERLINK("http://x","点我")', "+1+1", -5], ["@SUM(A1)", "-2", 3]],
        preamble=["名单", "导出人：张三"],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A1"].value == "名单"
    assert [c.value for c in sheet[3]] == ["姓名", "备注", "金额"]
    a4, b4, c4 = sheet[4]
    assert a4.data_type == "s"
    assert a4.value == '=HYPERLINK("http://x","点我")'
    assert a4.quotePrefix
    assert b4.data_type == "s"
    assert b4.quotePrefix
    # A number stays a number.
    assert c4.value == -5
    assert c4.data_type == "n"
    assert sheet["A5"].quotePrefix
    assert sheet["B5"].quotePrefix


def _upload(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_read_table_finds_the_header_below_instructions_and_numbers_rows() -> None:
    upload = _upload(
        [
            ["说明：带*的列必填"],
            ["姓名*", "电话", "其他"],
            ["张三", 13912345678, "x"],
            [None, None, None],
            ["李四", "=A3", None],
        ]
    )
    rows = list(read_table(upload, ["姓名", "电话"]))
    assert [r.number for r in rows] == [3, 5]
    assert rows[0].values == {"姓名": "张三", "电话": 13912345678}
    assert rows[1].formula_columns == ("电话",)


def test_read_table_refuses_what_is_not_a_workbook_or_lacks_the_header() -> None:
    with pytest.raises(WorkbookError, match="无法读取"):
        list(read_table(io.BytesIO(b"not a workbook"), ["姓名"]))
    with pytest.raises(WorkbookError, match="未找到表头"):
        list(read_table(_upload([["名字"], ["张三"]]), ["姓名"]))
