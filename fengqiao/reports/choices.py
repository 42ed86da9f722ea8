from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """The periodic products of seed 004 item 25 (周分析, 月研判, 季通报, 年考核), the annual
    dispute survey report of seed 000 (联合向地方党委政府提交社会矛盾纠纷调查报告每年不少于一次),
    and a report of any span asked for on demand."""

    WEEKLY = "weekly", _("周分析")
    MONTHLY = "monthly", _("月研判")
    QUARTERLY = "quarterly", _("季通报")
    YEARLY = "yearly", _("年考核")
    ANNUAL_SURVEY = "annual_survey", _("年度矛盾纠纷排查调处报告")
    CUSTOM = "custom", _("专题分析（自定时段）")


class ReportOrigin(models.TextChoices):
    SCHEDULED = "scheduled", _("定期生成")
    ON_DEMAND = "on_demand", _("按需生成")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"
