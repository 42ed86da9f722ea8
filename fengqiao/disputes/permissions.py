"""The disputes app's permissions, one name each (checked against the models by
``fengqiao.core.checks``: a constant naming no permission fails ``manage.py check``)."""

VIEW_CASE = "disputes.view_case"
REGISTER_CASE = "disputes.register_case"
ASSESS_CASE = "disputes.assess_case"
HANDLE_CASE = "disputes.handle_case"
ARCHIVE_CASE = "disputes.archive_case"

# Reference data the system administrator edits (no case data).
VIEW_TERRITORYRULE = "disputes.view_territoryrule"
CHANGE_TERRITORYRULE = "disputes.change_territoryrule"
VIEW_SUBJECTRULE = "disputes.view_subjectrule"
ADD_SUBJECTRULE = "disputes.add_subjectrule"
CHANGE_SUBJECTRULE = "disputes.change_subjectrule"
VIEW_CALENDAROVERRIDE = "disputes.view_calendaroverride"
ADD_CALENDAROVERRIDE = "disputes.add_calendaroverride"
CHANGE_CALENDAROVERRIDE = "disputes.change_calendaroverride"
VIEW_DEADLINELIMIT = "disputes.view_deadlinelimit"
ADD_DEADLINELIMIT = "disputes.add_deadlinelimit"
CHANGE_DEADLINELIMIT = "disputes.change_deadlinelimit"
