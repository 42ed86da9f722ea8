"""The demo county's 考核方案: the default scheme of the seeds for this year and last year (so
the leader sees last quarter's ranking from the first day of a year too, and last year's
年考核 prints its ranking)."""

from __future__ import annotations

from datetime import date

from fengqiao.assessment.selectors import default_period
from fengqiao.assessment.services import scheme_create_default
from fengqiao.demo.data import COUNTY_CODE
from fengqiao.regions.models import Region


def demo_assessment_seed(*, today: date) -> int:
    """Returns how many schemes exist for the demo county afterwards."""
    county = Region.objects.get(code=COUNTY_CODE)
    years = sorted({today.year - 1, today.year, default_period(today).start.year})
    for year in years:
        scheme_create_default(actor=None, county=county, year=year, check=False)
    return len(years)
