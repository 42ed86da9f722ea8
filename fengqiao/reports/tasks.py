from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from fengqiao.reports.services import report_generate, reports_schedule


@db_periodic_task(crontab(minute="40"))
@lock_task("reports-schedule")
def schedule_reports() -> dict[str, object]:
    """Every hour: on and after the first working day of a week, month, quarter and year, the
    report of the period just ended for each county and township platform, made once (the rows
    are unique, so the other hours of the day and later days add nothing); and the reports a
    dead worker left, queued again. Hourly rather than daily so a worker's death costs at most
    an hour, not a day."""
    result = reports_schedule()
    return {
        "created": result.created,
        "requeued": result.requeued,
        "provisional_years": result.provisional_years,
    }


@db_task()
def generate_report(report_id: int) -> str:
    """Generate one report (``services.report_generate``: claimed under a row lock, so a
    second delivery of this message does nothing)."""
    return report_generate(report_id=report_id)
