"""The risk app's dictionaries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    """What a rule looks at (docs/risk.md has each kind's meaning of 阈值)."""

    PEOPLE = "people", _("涉及人数（不少于阈值）")
    AMOUNT = "amount", _("涉及金额（不少于阈值，元）")
    CATEGORY = "category", _("纠纷类别")
    REPEAT_PARTY = "repeat_party", _("同一当事人一年内另案反映（件数不少于阈值）")
    REPEAT_REPORT = "repeat_report", _("本案重复反映（次数不少于阈值）")
    PETITION = "petition", _("当事人曾经信访（信访移交的另案）")
    ELDERLY = "elderly", _("当事人年龄不低于阈值（按身份证号）")
    MINOR = "minor", _("当事人年龄低于阈值（按身份证号）")
    FLAG = "flag", _("研判标识")
    SENSITIVE = "sensitive", _("敏感时期（已有其他风险时升一级）")
    TEXT = "text", _("文本信号（词库）")


class CaseFlag(models.TextChoices):
    """The five flags an assessor ticks on a case (disputes.Case.flag_*)."""

    GROUP = "group", _("涉群体")
    CRIMINAL_RISK = "criminal_risk", _("民转刑风险")
    PETITION_RISK = "petition_risk", _("越级上访风险")
    VULNERABLE = "vulnerable", _("涉弱势群体")
    SENSITIVE = "sensitive", _("敏感时期")


class RiskAction(models.TextChoices):
    """办理记录的动作 the risk app writes on a case's timeline (registered with
    disputes.timeline)."""

    GRADE = "risk_grade", _("系统风险评定")
    OVERRIDE = "risk_override", _("人工调整风险等级")
    OVERRIDE_LAPSED = "risk_override_lapsed", _("人工调整失效")
    WARNING = "risk_warning", _("发出风险预警")
    WARNING_ACK = "risk_warning_ack", _("预警签收")
    WARNING_ESCALATE = "risk_warning_escalate", _("预警逾期未签收升级")
    WARNING_ACTION = "risk_warning_action", _("预警处置")
    WARNING_CLOSE = "risk_warning_close", _("预警办结")
    EMERGENCY_OPEN = "emergency_open", _("启动应急联动")
    EMERGENCY_TASK_DONE = "emergency_task_done", _("应急任务完成")
    EMERGENCY_CLOSE = "emergency_close", _("应急联动结束")


class WarningBasis(models.TextChoices):
    """Why a warning was pushed to an org (seed 004 item 23: 向“属事”单位、“属地”地区推送)."""

    TERRITORY = "territory", _("属地")
    SUBJECT = "subject", _("属事")
    ESCALATED = "escalated", _("逾期升级")


class WarningStatus(models.TextChoices):
    OPEN = "open", _("处置中")
    CLOSED = "closed", _("已办结")
    SUPERSEDED = "superseded", _("已升级为更高等级预警")


class Measure(models.TextChoices):
    """处置措施 (seed 004 item 23: 落实稳控、疏导措施; seed 003: 重大矛盾纠纷报告制度)."""

    STABILISE = "stabilise", _("稳控")
    GUIDE = "guide", _("疏导")
    REPORT = "report", _("重大矛盾纠纷报告（向党委政府报告）")
    OTHER = "other", _("其他")


class EmergencyStatus(models.TextChoices):
    OPEN = "open", _("处置中")
    CLOSED = "closed", _("已结束")


class EmergencyTaskStatus(models.TextChoices):
    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")
