"""外部指标导入 on the demo county: the 平安办 imports outside figures; bad rows are named."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fengqiao.accounts.models import User
from fengqiao.audit.models import AuditEvent
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.measures import measures_for
from fengqiao.stats.models import ExternalFigure
from fengqiao.stats.periods import Period
from fengqiao.web.tests.html import page_text

pytestmark = pytest.mark.usefixtures("demo_county")
URL = reverse("stats:external")
HEADER = "区划代码,指标,期间起,期间止,数值,数据来源\n"


def _client(client_for: Callable[[User | None], Client], name: str) -> Client:
    return client_for(User.objects.get(username=name))


def _csv(text: str, encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile("figures.csv", (HEADER + text).encode(encoding), "text/csv")


def test_the_county_platform_imports_court_filings_and_the_rate_follows(
    db: None, client_for
) -> None:
    county = Region.objects.get(level=RegionLevel.COUNTY)
    client = _client(client_for, "dispatcher_county")
    rows = (
        f'{county.code},民事一审收案数,2025-01-01,2025-12-31,"1,250",县人民法院2025年司法统计\n'
        f"{county.code},常住人口,2025-01-01,2025-12-31,250000,县统计局2025年统计公报\n"
    )
    # Saved by a spreadsheet on a Chinese desktop: GB18030, decoded as such.
    response = client.post(URL, {"file": _csv(rows, "gb18030")})
    assert response.status_code == 200, page_text(response)
    assert "新增 2" in page_text(response)
    figure = ExternalFigure.objects.get(region=county, indicator="civil_filings")
    assert figure.value == Decimal("1250")
    assert figure.imported_by.username == "dispatcher_county"
    assert AuditEvent.objects.filter(event_type="stats.external_imported").exists()

    rate = measures_for(county, Period.year(date(2025, 6, 1)))["lawsuits_per_10k"]
    assert rate.value == Decimal("50.00")  # 1,250 ÷ 250,000 × 10,000
    # A quarter the year's figure does not cover exactly stays unknown, not 0.
    assert measures_for(county, Period.quarter(date(2025, 6, 1)))["lawsuits_per_10k"].value is None

    # A corrected figure replaces the old one.
    fixed = f"{county.code},民事一审收案数,2025-01-01,2025-12-31,1300,县人民法院更正\n"
    assert "更新 1" in page_text(client.post(URL, {"file": _csv(fixed)}))
    assert ExternalFigure.objects.get(region=county, indicator="civil_filings").value == 1300


def test_every_bad_row_is_named_and_nothing_is_imported(db: None, client_for) -> None:
    county = Region.objects.get(level=RegionLevel.COUNTY)
    c = county.code
    rows = (
        f"{c},民事一审收案数,2025-01-01,2025-12-31,100,法院\n"
        f"999999999999,民事一审收案数,2025-01-01,2025-12-31,100,法院\n"
        f"{c},起诉率,2025-01-01,2025-12-31,100,法院\n"
        f"{c},刑事自诉案件数,2025-03-01,2025-01-01,5,法院\n"
        f"{c},刑事自诉案件数,2024-01-01,2025-12-31,5,法院\n"
        f"{c},常住人口,2025-01-01,2025-12-31,-3,统计局\n"
        f"{c},常住人口,1800-01-01,1800-12-31,3,统计局\n"
        f"{c},民事一审收案数,2025-01-01,2025-12-31,100,法院\n"
    )
    response = _client(client_for, "dispatcher_county").post(URL, {"file": _csv(rows)})
    assert response.status_code == 400
    text = page_text(response)
    for said in (
        "第3行",
        "区划代码999999999999不存在",
        "“指标”的值“起诉率”无效",
        "“期间止”不能早于“期间起”",
        "期间最长一年",
        "“数值”应为不小于 0 的数字",
        "须在 2000-01-01 至 2099-12-31 之间",
        "与第2行重复",
    ):
        assert said in text, said
    assert not ExternalFigure.objects.exists()


def test_a_township_imports_for_its_township_only(db: None, client_for) -> None:
    county = Region.objects.get(level=RegionLevel.COUNTY)
    response = _client(client_for, "dispatcher").post(
        URL, {"file": _csv(f"{county.code},民事一审收案数,2025-01-01,2025-12-31,9,法院\n")}
    )
    assert "无权导入" in page_text(response)
    assert not ExternalFigure.objects.exists()


def test_the_leader_reads_the_figures_but_does_not_import(db: None, client_for) -> None:
    client = _client(client_for, "leader")
    response = client.get(URL)
    assert response.status_code == 200
    assert "external-import" not in response.content.decode()
    county = Region.objects.get(level=RegionLevel.COUNTY)
    refused = client.post(
        URL, {"file": _csv(f"{county.code},常住人口,2025-01-01,2025-12-31,1,局\n")}
    )
    assert refused.status_code == 403
    assert _client(client_for, "mediator").get(URL).status_code == 403


def test_the_template_comes_back_filled_as_xlsx(db: None, client_for) -> None:
    client = _client(client_for, "dispatcher_county")
    template = client.get(reverse("stats:external_template"))
    book = load_workbook(io.BytesIO(template.content))
    sheet = book.active
    header_row = next(
        row[0].row for row in sheet.iter_rows() if row[0].value and "区划代码" in str(row[0].value)
    )
    county = Region.objects.get(level=RegionLevel.COUNTY)
    sheet.cell(header_row + 1, 1, county.code)
    sheet.cell(header_row + 1, 2, "刑事自诉案件数")
    sheet.cell(header_row + 1, 3, date(2025, 1, 1))
    sheet.cell(header_row + 1, 4, date(2025, 3, 31))
    sheet.cell(header_row + 1, 5, 12)
    sheet.cell(header_row + 1, 6, "县人民法院")
    sheet.cell(header_row + 2, 1, county.code)
    sheet.cell(header_row + 2, 2, "常住人口")
    sheet.cell(header_row + 2, 3, "2025-01-01")
    sheet.cell(header_row + 2, 4, "2025-12-31")
    sheet.cell(header_row + 2, 5, "=1+1")
    sheet.cell(header_row + 2, 6, "统计局")
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("figures.xlsx", out.getvalue())
    response = client.post(URL, {"file": upload})
    assert "是公式" in page_text(response)
    assert not ExternalFigure.objects.exists()
