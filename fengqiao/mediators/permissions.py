"""The mediators app's permissions, one name each (checked by ``fengqiao.core.checks``)."""

# 选聘: open a round, record applications and scores, appoint or decline.
MANAGE_RECRUITMENT = "mediators.manage_recruitment"
# 投诉: record complaints about a mediator and handle them.
HANDLE_COMPLAINT = "mediators.handle_complaint"
# 评星定级: the yearly criteria, the proposals and their approval.
RATE_MEDIATORS = "mediators.rate_mediators"
# 案件补贴: the rules, the monthly statements (compute, adjust, approve, export).
MANAGE_SUBSIDY = "mediators.manage_subsidy"
# 调解员业绩: read the mediators' figures, stars, complaints and subsidies in one's scope.
VIEW_MEDIATOR_WORK = "mediators.view_mediator_work"
# 我的业绩: a mediator's own figures, stars, concluded complaints and subsidies.
VIEW_OWN_WORK = "mediators.view_own_work"

# The staff sections of 调解员管理 (the nav entry shows for any of them).
STAFF_PERMS = (
    MANAGE_RECRUITMENT,
    HANDLE_COMPLAINT,
    RATE_MEDIATORS,
    MANAGE_SUBSIDY,
    VIEW_MEDIATOR_WORK,
)
