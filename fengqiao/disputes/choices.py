from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """案件状态 (DESIGN §2). Changed only by ``workflow.case_transition``."""

    REGISTERED = "registered", _("已登记")
    ASSESSED = "assessed", _("已研判")
    DISPATCHED = "dispatched", _("已交办")
    ACCEPTED = "accepted", _("已受理")
    MEDIATING = "mediating", _("调解中")
    SUSPENDED = "suspended", _("中止")
    RESOLVED = "resolved", _("调解成功")
    FAILED = "failed", _("调解不成")
    REFERRED_OUT = "referred_out", _("已转出")
    WITHDRAWN = "withdrawn", _("已撤回")
    ARCHIVED = "archived", _("已归档")


OPEN_STATUSES = [
    CaseStatus.REGISTERED,
    CaseStatus.ASSESSED,
    CaseStatus.DISPATCHED,
    CaseStatus.ACCEPTED,
    CaseStatus.MEDIATING,
    CaseStatus.SUSPENDED,
]


class CaseAction(models.TextChoices):
    """An action a user takes on a case; the workflow table says where each leads."""

    ASSESS = "assess", _("研判")
    DISPATCH = "dispatch", _("交办")
    ACCEPT = "accept", _("受理")
    RETURN = "return", _("退回")
    ESCALATE = "escalate", _("上报上级平台")
    START = "start", _("开始调解")
    SUSPEND = "suspend", _("中止")
    RESUME = "resume", _("恢复")
    AGREE = "agree", _("达成协议")
    FAIL = "fail", _("调解不成")
    REFER = "refer", _("转出")
    REJECT = "reject", _("不予受理")
    WITHDRAW = "withdraw", _("撤回")
    ARCHIVE = "archive", _("归档")


class TimelineAction(models.TextChoices):
    """办理记录的动作 — what a timeline entry of this app records, in the timeline's words.

    Every workflow action (``CaseAction``) is one, under the word the case page shows for it
    (上报 is the button of both a mediator handing a case back and a platform sending it up).
    Apps above add their own through ``disputes.timeline.register_actions``."""

    REGISTER = "register", _("登记")
    ASSESS = "assess", _("研判")
    DISPATCH = "dispatch", _("交办")
    ACCEPT = "accept", _("受理")
    JOIN = "join", _("加入联合调处")
    RETURN = "return", _("退回")
    ESCALATE = "escalate", _("上报")
    START = "start", _("开始调解")
    SUSPEND = "suspend", _("中止")
    RESUME = "resume", _("恢复")
    EXTEND = "extend", _("延期")
    AGREE = "agree", _("达成协议")
    FAIL = "fail", _("调解不成")
    REFER = "refer", _("转出")
    REJECT = "reject", _("不予受理")
    WITHDRAW = "withdraw", _("撤回")
    ARCHIVE = "archive", _("归档")
    REPEAT_REPORT = "repeat_report", _("重复反映")
    DUPLICATE_CHECK = "duplicate_check", _("疑似重复提示")
    REPORT_BACK = "report_back", _("办结反馈")
    # Written by the deadline sweep.
    REMIND = "remind", _("催办")
    SUPERVISE = "supervise", _("督办")
    REPORT_OVERDUE = "report_overdue", _("逾期未办结报告")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("期限重算")
    DEEMED_FAILED = "deemed_failed", _("视为调解不成")
    ARBITRATION_OPEN = "arbitration_open", _("可申请仲裁告知")


class HandlingLevel(models.IntegerChoices):
    """The region levels a case can be handled at (a subset of ``RegionLevel``)."""

    VILLAGE = 5, _("村（社区）")
    TOWNSHIP = 4, _("乡镇（街道）")
    COUNTY = 3, _("区县")


class Satisfaction(models.IntegerChoices):
    """回访满意度 — five steps, stored as 5 (best) to 1."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    NEUTRAL = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class ReferralTarget(models.TextChoices):
    """转出方向 — where a case that mediation cannot settle goes."""

    LITIGATION = "litigation", _("诉讼（人民法院）")
    ARBITRATION = "arbitration", _("仲裁")
    ADMINISTRATIVE = "administrative", _("行政处理")
    POLICE = "police", _("公安机关")
    PETITION = "petition", _("信访部门")


class IntakeChannel(models.TextChoices):
    """受理渠道."""

    GRID = "grid", _("网格员/信息员排查")
    WALK_IN = "walk_in", _("来访")
    PHONE = "phone", _("电话/12345")
    PETITION = "petition", _("信访移交（访调）")
    COURT_PRE = "court_pre", _("法院委派（诉前）")
    COURT_POST = "court_post", _("法院委托（诉中）")
    POLICE = "police", _("公安移交（警调）")
    PROCURATORATE = "procuratorate", _("检察院移交（检调）")
    ADMIN_REVIEW = "admin_review", _("行政复议移交（复调）")
    DEPARTMENT = "department", _("行政部门移交")
    PORTAL = "portal", _("网上申请")


class CourtProcedure(models.TextChoices):
    """审理程序 of a case the court entrusts during litigation (委托调解): it sets the limit."""

    ORDINARY = "ordinary", _("普通程序")
    SIMPLIFIED = "simplified", _("简易程序")


class RiskGrade(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    MAJOR = "major", _("重大")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD_PARTY = "third_party", _("第三人")


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANIZATION = "organization", _("法人或其他组织")


class DispatchStatus(models.TextChoices):
    PENDING = "pending", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤销")
    # The case it was accepted for has closed (办结, 转出, 撤回 …): the order is settled.
    DONE = "done", _("已办结")


class DispatchRole(models.TextChoices):
    SOLE = "sole", _("承办")
    LEAD = "lead", _("主调方")
    COORDINATING = "coordinating", _("协调方")


class DueKind(models.TextChoices):
    ACCEPT = "accept", _("受理时限")
    MEDIATION = "mediation", _("调解期限")
    FEEDBACK = "feedback", _("反馈时限")
    # 劳动争议调解仲裁法 art. 14: after 15 days without agreement a party may go to arbitration.
    ARBITRATION = "arbitration", _("可申请仲裁")
    # The court's own limits on a judicial confirmation (司法确认), owned by the court app
    # (court/services/confirmation_due.py): 3 days to accept, 15 (+10) days to rule.
    CONFIRM_ACCEPT = "confirm_accept", _("司法确认受理期限")
    CONFIRM_RULE = "confirm_rule", _("司法确认审查期限")
    # 业务指导: a 人民法庭, 派出所 or 司法所 asked a legal or policy question on a case answers
    # within the admin's limit (``DeadlineLimit``), owned by the mediation app
    # (mediation/guidance.py): the asked org's people are chased, not the case's mediator.
    GUIDANCE = "guidance", _("业务指导答复期限")


# Deadlines that run after their case has closed (a court reviewing the agreement of a resolved
# or archived case; an answer the asked 法庭/派出所/司法所 still owes — it is kept on the case and
# counted on time or late): closing or archiving the case does not stop them, only the app that
# owns them does; and a case's handler does not answer for them (queues.answered_by).
OUTLIVES_CASE = (DueKind.CONFIRM_ACCEPT, DueKind.CONFIRM_RULE, DueKind.GUIDANCE)


class PeriodUnit(models.TextChoices):
    """How a deadline's period is counted (deadlines.period_end)."""

    WORKING_DAYS = "working_days", _("工作日")
    DAYS = "days", _("日")
    MONTHS = "months", _("月")


class DueStatus(models.TextChoices):
    OPEN = "open", _("未到期")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
