from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    """How often a meeting type must be held."""

    QUARTERLY = "quarterly", _("每季度")
    MONTHLY = "monthly", _("每月")
    HALF_MONTHLY = "half_monthly", _("每半月")
    AD_HOC = "ad_hoc", _("不定期")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")


class TaskStatus(models.TextChoices):
    """A resolution's task: open until its owner records it done (逾期 is an open task past its
    deadline, shown, not stored)."""

    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")


class PublicityKind(models.TextChoices):
    """法治宣传 activity kinds (seed 000 (八): 法律咨询、法制宣传栏、法制文艺汇演 …)."""

    CONSULTATION = "consultation", _("法律咨询")
    BOARD = "board", _("法制宣传栏")
    PERFORMANCE = "performance", _("法制文艺汇演")
    LECTURE = "lecture", _("法治讲座")
    OTHER = "other", _("其他")


class FileKind(models.TextChoices):
    ATTACHMENT = "attachment", _("会议附件")
    EVIDENCE = "evidence", _("办结凭证")
    PHOTO = "photo", _("活动照片")


class ScreeningCadence(models.TextChoices):
    """How often a unit files its 排查 report (seed 004 item 22: 网格每日, 村（社区）每周,
    乡镇（街道）每半月, 区每月, 特殊敏感时期每日)."""

    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    SEMI_MONTHLY = "semi_monthly", _("每半月")
    MONTHLY = "monthly", _("每月")


class ScreeningState(models.TextChoices):
    """A unit's report for one period, as the board shows it (derived, not stored)."""

    FILED = "filed", _("已报")
    ZERO = "zero", _("零报告")
    LATE = "late", _("迟报")
    MISSING = "missing", _("未报")
    PENDING = "pending", _("未到期")
