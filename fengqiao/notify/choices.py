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
    # A one-time code sent to a bare phone number (``fengqiao.notify.codes``).
    VERIFICATION = "verification", _("验证码")


class Channel(models.TextChoices):
    """Where a message goes besides the in-app inbox (which is the ``Notification`` row)."""

    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")
    ROBOT = "robot", _("工作群机器人")


class DeliveryStatus(models.TextChoices):
    """An outbox row's state: waiting (or waiting again after a failure), held by a worker,
    delivered, or given up on (死信)."""

    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("发送失败")


class RobotProvider(models.TextChoices):
    """The group-robot webhook formats spoken (each its own JSON body and signature)."""

    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")
    FEISHU = "feishu", _("飞书")
