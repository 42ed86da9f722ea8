from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a message is about, shown as its badge on 消息."""

    NEW_CASE = "new_case", _("新登记")
    ASSIGNMENT = "assignment", _("交办")
    ESCALATION = "escalation", _("上报")
    RETURN = "return", _("退回")
    REMINDER = "reminder", _("催办")
    SUPERVISION = "supervision", _("督办")
    EXTENSION = "extension", _("延期")
    OVERDUE = "overdue", _("逾期未办结")
    RESULT = "result", _("办理结果")
    PERFORMANCE = "performance", _("履行")
    WARNING = "warning", _("预警")
    EMERGENCY = "emergency", _("应急联动")
    SCREENING = "screening", _("排查")
    GUIDANCE = "guidance", _("业务指导")
    ALARM = "alarm", _("报警")
    TASK = "task", _("任务")
    INFO = "info", _("通知")
