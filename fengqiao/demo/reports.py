"""The demo county's 报表中心 history: the reports of the periods just ended, made at once by
the reports app's own service (``reports.services.reports_generate_latest``), so a leader who
opens 报表中心 right after ``make run`` finds last week's 周分析, last month's 月研判, last
quarter's 季通报 and last year's 年考核 and annual survey ready to download, and the hourly
schedule finds them made. The full demo only (a few seconds of PDF rendering)."""

from __future__ import annotations

from datetime import date

from fengqiao.demo.data import COUNTY_CODE
from fengqiao.regions.models import Region
from fengqiao.reports.services import reports_generate_latest


def demo_reports_seed(*, today: date) -> dict[str, str]:
    """What happened to each report made, by kind ("done" unless one failed)."""
    county = Region.objects.get(code=COUNTY_CODE)
    return reports_generate_latest(region=county, today=today)
