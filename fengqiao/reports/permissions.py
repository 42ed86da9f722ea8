VIEW_REPORT = "reports.view_report"
GENERATE_REPORT = "reports.generate_report"
