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
