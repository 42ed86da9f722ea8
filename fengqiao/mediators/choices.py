from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    """选聘轮次的状态."""

    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class ApplicationStatus(models.TextChoices):
    """报名人的状态: 报名 → 聘任 or 不予聘任."""

    APPLIED = "applied", _("已报名")
    APPOINTED = "appointed", _("已聘任")
    DECLINED = "declined", _("不予聘任")


class ComplaintSource(models.TextChoices):
    """投诉来源: a party of a case or an organisation (seed 003 §三(二): 建立投诉处理机制)."""

    PARTY = "party", _("当事人")
    ORG = "org", _("单位")


class ComplaintStatus(models.TextChoices):
    """投诉处理: 受理 → 调查 → 处理 (workflow.COMPLAINT_TRANSITIONS)."""

    RECEIVED = "received", _("已受理")
    INVESTIGATING = "investigating", _("调查中")
    CONCLUDED = "concluded", _("已处理")


class ComplaintOutcome(models.TextChoices):
    """处理结果. Every outcome but 不成立 upholds the complaint: it counts in the rating."""

    UNFOUNDED = "unfounded", _("投诉不成立")
    CRITICISM = "criticism", _("批评教育")
    SUSPENSION = "suspension", _("暂停调解工作")
    DISMISSAL = "dismissal", _("解聘")


UPHELD_OUTCOMES = (
    ComplaintOutcome.CRITICISM,
    ComplaintOutcome.SUSPENSION,
    ComplaintOutcome.DISMISSAL,
)


class RatingStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审定")
    APPROVED = "approved", _("已审定")


class CaseOutcome(models.TextChoices):
    """How a concluded case ended, for the subsidy rules (以案定补)."""

    RESOLVED = "resolved", _("调解成功")
    FAILED = "failed", _("调解不成")


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    APPROVED = "approved", _("已审批")


class LineKind(models.TextChoices):
    CASE = "case", _("案件补贴")
    ADJUSTMENT = "adjustment", _("更正调整")
