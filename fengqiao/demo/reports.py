"""The demo county's 报表中心 history: the reports of the periods just ended, made at once by
the reports app's own service (``reports.services.reports_generate_latest``), so a leader who
opens 报表中心 right after ``make run`` finds last week's 周分析, last month's 月研判, last
quarter's 季通报 and last year's 年考核 and annual survey ready to download, and each township's
平安办 (the ``dispatcher`` account) finds its township's last 月研判; the hourly schedule finds
them made. The full demo only (PDF rendering takes seconds)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from fengqiao.demo.data import COUNTY_CODE
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.reports.choices import ReportKind
from fengqiao.reports.services import report_regions, reports_generate_latest

# What each township's platform is given at once: last month's 月研判 (the county's reports
# stand for the rest; the schedule makes the townships' other kinds on their days).
TOWNSHIP_KINDS = (ReportKind.MONTHLY,)


@dataclass
class DemoReports:
    # What happened to each county report made, by kind ("done" unless one failed).
    county: dict[str, str] = field(default_factory=dict)
    # What happened to each township's 月研判, by township name.
    townships: dict[str, str] = field(default_factory=dict)
    # Wall-clock seconds each part took (seed_demo prints them: docs/demo.md).
    county_seconds: float = 0.0
    township_seconds: float = 0.0

    @property
    def done(self) -> int:
        return sum(1 for r in [*self.county.values(), *self.townships.values()] if r == "done")


def demo_reports_seed(*, today: date) -> DemoReports:
    county = Region.objects.get(code=COUNTY_CODE)
    started = time.monotonic()
    made = DemoReports(county=reports_generate_latest(region=county, today=today))
    made.county_seconds = time.monotonic() - started
    started = time.monotonic()
    # The townships the schedule makes reports for (those with a platform), as it would.
    townships = [
        r
        for r in report_regions()
        if r.level == RegionLevel.TOWNSHIP and r.path.startswith(county.path)
    ]
    for township in townships:
        for result in reports_generate_latest(
            region=township, today=today, kinds=TOWNSHIP_KINDS
        ).values():
            made.townships[township.name] = result
    made.township_seconds = time.monotonic() - started
    return made
